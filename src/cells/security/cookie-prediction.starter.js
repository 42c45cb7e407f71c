// You are logged in on http://localhost:4412, which set three cookies:
//   sb_session  SameSite=Lax
//   sb_strict   SameSite=Strict
//   sb_none     SameSite=None; Secure
// An attacker page opens ws://localhost:4412/ws/account/unsafe. Which of
// the three reach the server? Predict, then check, then try it in the lab.
const prediction = {
  // from http://localhost:4413, in Chromium
  sameSite: ['sb_session', 'sb_strict', 'sb_none'],
  // from http://127.0.0.1:4413, in Chromium with its default settings
  crossSite: ['sb_session', 'sb_strict', 'sb_none'],
  // from http://127.0.0.1:4413, in a browser that blocks third-party cookies
  crossSiteBlocked: ['sb_session', 'sb_strict', 'sb_none'],
};
