// Which codes may a page send? close() checks before anything goes on the wire.
const probe = new WebSocket(`${SERVER}/ws/close`);
await opened(probe);
for (const code of [1001, 1005, 1006, 2999, 5000]) {
  try {
    probe.close(code);
    display(`close(${code}) was accepted`);
  } catch (error) {
    display(`close(${code}) throws ${error.name}`);
  }
}

// The reason is counted in bytes of UTF-8, not in characters: "é" is two bytes.
const longReason = 'é'.repeat(62);
try {
  probe.close(4000, longReason);
} catch (error) {
  display(`a reason of ${longReason.length} characters, ${new TextEncoder().encode(longReason).length} bytes, throws ${error.name}`);
}

// Nothing was sent: the socket is still open, and closes normally.
display(probe.readyState);
probe.close(1000, 'rules checked');
closeInfo(await closed(probe));
