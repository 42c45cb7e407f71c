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
  expectTrue(pongs.length > 0, 'your code sent no pong. The browser answers protocol pings by itself; these pings are messages');
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

await check('predicts how the server drops a client that answers nothing', async () => {
  const prediction = variable('prediction');
  if (typeof prediction?.closeCode !== 'number' || typeof prediction?.latestMs !== 'number') {
    fail('commit to a prediction first: set prediction.closeCode and prediction.latestMs to numbers');
  }
  // The checks' own silent client, on the same terms as yours.
  const openedAt = performance.now();
  const silent = new WebSocket(`${SERVER}/ws/heartbeat?interval=300&timeout=600`);
  const close = await new Promise((resolve) => silent.addEventListener('close', resolve, { once: true }));
  const afterMs = Math.round(performance.now() - openedAt);
  const seen = `a silent client was closed with ${String(close.code)} after ${String(afterMs)} ms`;
  if (prediction.closeCode !== close.code) fail(`you predicted close code ${String(prediction.closeCode)}; ${seen}`);
  if (prediction.latestMs < 900 || prediction.latestMs > 1000) {
    fail(`you predicted ${String(prediction.latestMs)} ms at the latest; ${seen}. How long can it take, at worst, from the last answered moment to the timeout?`);
  }
});
