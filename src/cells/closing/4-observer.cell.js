// A second connection that outlives the one being closed: the server reports
// there what it saw of every /ws/close connection that names this observer.
const observer = new WebSocket(`${SERVER}/ws/close/observe`);
const fromServer = [];
observer.addEventListener('message', (event) => fromServer.push(JSON.parse(event.data)));

/** Resolves with the first observer message that `matches`, whether it came already or comes later. */
async function observed(matches) {
  while (!fromServer.some(matches)) await sleep(20);
  return fromServer.find(matches);
}

const { observerId } = await observed((message) => message.type === 'observer');

for (const [run, request] of [['restart', 'code=1012&reason=deploy'], ['broken-text', 'action=invalid-utf8']]) {
  const socket = new WebSocket(`${SERVER}/ws/close?${request}&observer=${observerId}&run=${run}`);
  const event = await closed(socket);
  const { report } = await observed((message) => message.run === run);
  const answer = report.clientSent === null ? 'nothing' : `${report.clientSent.code} "${report.clientSent.reason}"`;
  display(`${run}: the page got ${event.code}; the server sent ${report.serverSent.bytes}; the browser sent back ${answer}`);
}
