// Epoch milliseconds on this machine, to a fraction of a ms.
const now = () => performance.timeOrigin + performance.now();
const round = (ms) => Math.round(ms * 10) / 10;

/**
 * Opens /ws/realtime with the settings in `query`, collects `count`
 * samples, each with the time it arrived here, and closes the socket.
 */
async function collectSamples(query, count) {
  const socket = new WebSocket(`${SERVER}/ws/realtime?${query}`);
  const samples = [];
  await new Promise((resolve, reject) => {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.type !== 'sample') return;
      samples.push({ ...message, arrivedAt: now() });
      if (samples.length === count) resolve();
    });
    socket.addEventListener('close', (event) => {
      reject(new Error(`the stream closed with ${event.code} too early`));
    });
  });
  socket.close(1000, 'enough samples');
  return samples;
}

// 10 samples, 20 a second, each held back 50 ms by the server.
const samples = await collectSamples('rate=20&delay=50', 10);
display(samples[0]);

// Delay: arrival here minus production there.
samples.map((sample) => round(sample.arrivedAt - sample.producedAt));
