// Conflation: the server makes 100 values a second, and this page
// takes one every 50 ms or so. The server keeps only the latest.
const feed = new WebSocket(`${SERVER}/ws/backpressure?mode=conflate&messagesPerSecond=100&messageBytes=128`);
const grant = (credits) => feed.send(JSON.stringify({ type: 'credit', credits }));
let finishing = false;
let taken = 0;
let previousSeq = 0;
let gaps = 0;
let reported = 0;

const totals = new Promise((resolve) => {
  feed.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'hello') grant(1);
    if (message.type === 'data') {
      taken += 1;
      // seq counts every value made: a jump is what the server skipped,
      // and `dropped` says so.
      gaps += message.seq - previousSeq - 1;
      reported += message.dropped;
      previousSeq = message.seq;
      // Ready for the next one in 50 ms.
      setTimeout(() => {
        if (!finishing) grant(1);
      }, 50);
    }
    if (message.type === 'finished') resolve(message);
  });
});

await sleep(2000);
finishing = true;
feed.send(JSON.stringify({ type: 'finish' }));
display(await totals);
feed.close(1000, 'seen enough');
({ taken, gaps, reported });
