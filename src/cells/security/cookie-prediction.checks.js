/** Fails unless `prediction[key]` names exactly `expected` (in any order), saying why. */
const expectCookies = (key, expected, why) => {
  const prediction = variable('prediction');
  expectTrue(typeof prediction === 'object' && prediction !== null, `expected prediction to be an object, got ${typeof prediction}`);
  const named = prediction[key];
  expectTrue(Array.isArray(named), `expected prediction.${key} to be an array of cookie names, got ${JSON.stringify(named)}`);
  const sorted = [...named].sort();
  if (JSON.stringify(sorted) !== JSON.stringify([...expected].sort())) {
    fail(`expected prediction.${key} to be ${JSON.stringify(expected)}, got ${JSON.stringify(named)}: ${why}`);
  }
};

await check('from http://localhost:4413 (same site)', () => {
  expectCookies('sameSite', ['sb_session', 'sb_strict', 'sb_none'], 'a site is the scheme and the registrable domain, without the port: localhost:4413 is the same site as localhost:4412, so even Strict cookies go');
});

await check('from http://127.0.0.1:4413 (another site), in Chromium', () => {
  expectCookies('crossSite', ['sb_none'], 'a WebSocket handshake from another site is not a top-level navigation, so Lax and Strict cookies stay home; SameSite=None is sent cross-site (the hijack lab shows it)');
});

await check('from http://127.0.0.1:4413, with third-party cookies blocked', () => {
  expectCookies('crossSiteBlocked', [], 'blocking third-party cookies withholds the SameSite=None cookie too, and Lax and Strict never went');
});
