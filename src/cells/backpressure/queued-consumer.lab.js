// On the page: every message is accepted at once and queued.
const queue = [];
socket.onmessage = (event) => {
  queue.push(event.data);           // the browser keeps reading: nothing pushes back
  if (backlogBytes() > BUDGET) socket.close(4008, 'page backlog over budget');
  if (!working) workThroughQueue();
};
function workThroughQueue() {
  const next = queue.shift();
  if (next === undefined) { working = false; return; }
  working = true;
  setTimeout(() => { process(next); workThroughQueue(); }, 50);   // the page stays responsive
}
