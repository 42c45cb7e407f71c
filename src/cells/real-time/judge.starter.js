/**
 * Judges delays (ms, production to arrival) against one deadline:
 * hard: 'failed' if any sample is late, else 'ok';
 * firmDiscarded: how many samples are late (a firm system drops them);
 * softValue: the mean worth of the samples, where a sample on time is
 * worth 1 and a late one 1 - lateBy / deadline, never less than 0.
 * A sample exactly at the deadline is on time.
 */
function judge(delaysMs, deadlineMs) {
  return { hard: 'ok', firmDiscarded: 0, softValue: 1 };
}

// Your judge on 20 live samples: 80 ms of delay plus up to
// 40 ms of jitter, against a deadline of 100 ms.
const now = () => performance.timeOrigin + performance.now();
const live = [];
const query = 'rate=20&delay=80&jitter=40';
const stream = new WebSocket(`${SERVER}/ws/realtime?${query}`);
stream.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'sample') live.push(now() - message.producedAt);
  if (live.length === 20) stream.close(1000, 'judged');
});
await new Promise((resolve) => {
  stream.addEventListener('close', resolve, { once: true });
});
display(judge(live, 100));
