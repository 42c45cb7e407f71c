const parse = (data) => {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
};

await check('answers the server\'s pings with {type: "pong", id, sent}', async () => {
  const socket = lastSocket();
  await waitFor(() => socket.close, 'the connection to close', 8000);
  const pings = socket.received.map(parse).filter((message) => message?.type === 'ping');
  const pongs = socket.sent.map(parse).filter((message) => message?.type === 'pong');
  expectTrue(pongs.length > 0, 'your code sent no pong: answer each {type: "ping", id, sent} from the server with {type: "pong", id, sent}');
  for (const pong of pongs) {
    const ping = pings.find((candidate) => candidate.id === pong.id);
    expectTrue(ping !== undefined, `your pong ${JSON.stringify(pong)} answers no ping the server sent: copy the ping's id`);
    expectTrue(pong.sent === ping.sent, `your pong ${JSON.stringify(pong)} should carry the ping's sent, ${String(ping.sent)}, unchanged: the server times the round trip with it`);
  }
});
await check('keeps the connection for 3 s and closes it with 1000', async () => {
  const close = await waitFor(() => lastSocket().close, 'the connection to close', 8000);
  if (close.code === 4000) fail(`the server closed the connection with 4000 "${close.reason}": it gave up waiting for your pong`);
  expectEqual(close.code, 1000, 'the close code');
});
await check('lets the server measure its round trips', () => {
  const measured = lastSocket().received.map(parse).filter((message) => message?.type === 'rtt' && message.kind === 'application');
  expectTrue(measured.length >= 4, `expected the server to report at least 4 round trips of its application pings in 3 s, got ${String(measured.length)}`);
});
