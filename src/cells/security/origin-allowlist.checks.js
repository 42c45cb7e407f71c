/** Fails at the first origin for which isAllowedOrigin does not answer `expected`, saying why. */
const expectVerdicts = (origins, expected, why) => {
  const isAllowed = variable('isAllowedOrigin');
  expectTrue(typeof isAllowed === 'function', `expected isAllowedOrigin to be a function, got ${typeof isAllowed}`);
  for (const origin of origins) {
    let answer;
    try {
      answer = isAllowed(origin);
    } catch (error) {
      fail(`expected isAllowedOrigin(${JSON.stringify(origin)}) to answer ${expected}, but it threw ${error}: ${why(origin)}`);
    }
    if (answer !== expected) fail(`expected isAllowedOrigin(${JSON.stringify(origin)}) to be ${expected}, got ${JSON.stringify(answer)}: ${why(origin)}`);
  }
};

await check('allows the listed origins', () => {
  expectVerdicts(['https://app.example.com', 'http://localhost:8080'], true, () => 'it is on the list');
});

await check('refuses "null" (sandboxed frames, file: pages, some redirects)', () => {
  expectVerdicts(['null'], false, () => "an opaque origin could be any page, an attacker's in a sandboxed iframe included");
});

await check('refuses look-alike hosts', () => {
  expectVerdicts(['https://evil-app.example.com', 'https://app.example.com.evil.example', 'https://notapp.example.com', 'https://app-example.com'], false, (origin) =>
    `${new URL(origin).host} is another host, whatever it contains`,
  );
});

await check('refuses the listed hosts on other ports', () => {
  expectVerdicts(['http://localhost:8081', 'http://localhost', 'https://app.example.com:8443'], false, () =>
    'a port is part of the origin: another program (or another student) can serve pages there',
  );
});

await check('refuses http where https is listed, and the reverse', () => {
  expectVerdicts(['http://app.example.com', 'https://localhost:8080'], false, (origin) =>
    origin.startsWith('http:') ? 'a page over plain http can be injected by anyone on the network' : 'the scheme is part of the origin',
  );
});

await check('refuses suffix and prefix tricks', () => {
  expectVerdicts(['http://localhost.evil.example:8080', 'http://localhost.evil.example', 'https://evil.example'], false, (origin) =>
    `${new URL(origin).hostname} is a name anyone can register, not localhost or app.example.com`,
  );
});
