const CASES = {
  echo: { path: '/ws/echo', protocols: undefined, expected: true, why: 'the echo endpoint accepts any handshake' },
  inspect: { path: '/ws/inspect', protocols: ['json.v1'], expected: true, why: '/ws/inspect speaks json.v1' },
  notFound: { path: '/ws/no-such-endpoint', protocols: undefined, expected: false, why: 'the server refuses the handshake with 404' },
  badQuery: { path: '/ws/ticker?latencyMs=5000', protocols: undefined, expected: false, why: 'the ticker refuses latencyMs above 2000 with 400' },
  noProtocol: {
    path: '/ws/inspect',
    protocols: ['chat.v9'],
    expected: false,
    why: 'the server answers 101 without a subprotocol, and the browser fails the connection',
  },
};

await check('defines canConnect(url, protocols)', () => {
  const value = variable('canConnect');
  expectTrue(typeof value === 'function', `expected canConnect to be a function, got ${typeof value}`);
});

/** Sockets opened from here on are canConnect's. */
const socketsBefore = sockets().length;
/**
 * Resolves once every socket canConnect opened has closed, and a moment more
 * has passed for its close handler: after that no event can settle a promise
 * that is still pending, so there is no need to wait out a long timeout.
 */
const allClosed = (async () => {
  await sleep(50);
  const opened = () => sockets().slice(socketsBefore);
  await within(5000, () => opened().length > 0 && opened().every((socket) => socket.readyState === 3));
  await sleep(300);
  return { timedOut: true };
})();
// All at once, so a version that never resolves costs one wait, not five.
const outcomes = Object.fromEntries(
  await Promise.all(
    Object.entries(CASES).map(async ([name, { path, protocols }]) => {
      try {
        return [name, await Promise.race([settle(canConnect(`${SERVER}${path}`, protocols)), allClosed])];
      } catch (error) {
        return [name, { error }];
      }
    }),
  ),
);

/** Fails unless canConnect resolved as `CASES[name]` expects, saying why it should. */
const expectAnswer = (name) => {
  const { path, protocols, expected, why } = CASES[name];
  const outcome = outcomes[name];
  const call = `canConnect(\`\${SERVER}${path}\`${protocols === undefined ? '' : `, ${JSON.stringify(protocols)}`})`;
  if (outcome.timedOut) {
    fail(`${call} never settled, and its socket has closed: ${expected ? 'resolve with true when the socket opens' : 'a refused handshake never fires open; listen for close (or error) too'}`);
  }
  if ('error' in outcome) fail(`expected ${call} to resolve with ${expected}, but it ${outcome.error instanceof Error ? `threw ${outcome.error}` : 'rejected'}`);
  if (outcome.value !== expected) fail(`expected ${call} to resolve with ${expected}, got ${JSON.stringify(outcome.value)}: ${why}`);
};

await check('true for endpoints that accept the handshake', () => {
  expectAnswer('echo');
  expectAnswer('inspect');
});

await check('false for a path with no endpoint (404)', () => expectAnswer('notFound'));

await check('false for a query parameter out of range (400)', () => expectAnswer('badQuery'));

await check('false when the server chose none of the subprotocols offered', () => expectAnswer('noProtocol'));

await check('closes the sockets that opened, with 1000', async () => {
  const opened = sockets()
    .slice(socketsBefore)
    .filter((socket) => socket.opened);
  for (const socket of opened) {
    const close = await waitFor(() => socket.close, `the socket to ${socket.url} to close`, 3000);
    expectEqual(close.code, 1000, `the close code of the socket to ${socket.url}`);
  }
});
