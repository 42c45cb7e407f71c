/** Fails at the first code for which shouldReconnect does not answer `expected`, saying why it should. */
const expectAnswers = (codes, expected, why) => {
  const shouldReconnectFunction = variable('shouldReconnect');
  expectTrue(typeof shouldReconnectFunction === 'function', `expected shouldReconnect to be a function, got ${typeof shouldReconnectFunction}`);
  for (const code of codes) {
    const answer = shouldReconnectFunction(code);
    if (answer !== expected) fail(`expected shouldReconnect(${code}) to be ${expected}, got ${JSON.stringify(answer)}: ${why(code)}`);
  }
};

await check('stays away after 1000: the conversation was ended on purpose', () => {
  expectAnswers([1000], false, () => 'a normal closure means whoever closed is done; coming back would start a conversation nobody asked for');
});

await check('stays away when this client was refused (1002, 1003, 1007, 1008, 1009, 1010)', () => {
  expectAnswers([1002, 1003, 1007, 1008, 1009, 1010], false, (code) => `${code} means the server refused what this client sent or how it behaved, and would refuse it again`);
});

await check('stays away after 1015: the TLS handshake failed', () => {
  expectAnswers([1015], false, () => 'a certificate that failed once fails the same way on every retry');
});

await check('stays away after 4400–4499, the application\'s client errors', () => {
  expectAnswers([4401, 4400, 4403, 4429, 4499], false, (code) =>
    code === 4401 ? '4401 means the token is refused; coming back with the same token gets the same answer' : `${code} is 4000 + an HTTP 4xx status: the client must change something first`,
  );
});

await check('comes back after the network or the other side failed (1001, 1005, 1006, 1011–1014)', () => {
  expectAnswers([1001, 1005, 1006, 1011, 1012, 1013, 1014], true, (code) =>
    code === 1012 ? 'the server is restarting and wants its clients back' : `${code} says nothing against this client; with backoff, coming back is safe`,
  );
});

await check('comes back, with backoff, after codes it cannot know (3000, 4000, 4399, 4500, 4999)', () => {
  expectAnswers([3000, 4000, 4399, 4500, 4999], true, (code) => `nothing says what ${code} means to a generic client, and backoff bounds the cost of being wrong`);
});
