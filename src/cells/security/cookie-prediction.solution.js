// You are logged in on http://localhost:4412, which set three cookies:
//   sb_session  SameSite=Lax
//   sb_strict   SameSite=Strict
//   sb_none     SameSite=None; Secure
// An attacker page opens ws://localhost:4412/ws/account/unsafe. Which of
// the three reach the server?
const prediction = {
  // Ports do not make sites: localhost:4413 is the same site, so all three go.
  sameSite: ['sb_session', 'sb_strict', 'sb_none'],
  // 127.0.0.1 is another site, and a handshake is not a navigation: Lax and
  // Strict stay home. None means "send it cross-site", and Chromium does.
  crossSite: ['sb_none'],
  // Blocking third-party cookies stops the None one too.
  crossSiteBlocked: [],
};
