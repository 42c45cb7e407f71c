// bufferedAmount says 0: is the upload done? Ask the server how much
// it has read, on the stats channel of the upload's connection.
const uploaded = CHUNKS * chunk.length;
const uploadStats = new WebSocket(`${SERVER}/ws/backpressure/stats?id=${uploadHello.statsId}&intervalMs=500`);
let allRead = false;
await new Promise((resolve) => {
  uploadStats.addEventListener('message', (event) => {
    const report = JSON.parse(event.data);
    if (report.type !== 'stats' || allRead) return;
    const read = report.receivedBytes;
    display({
      inBrowser: MiB(upload.bufferedAmount),
      inTcp: MiB(uploaded - upload.bufferedAmount - read),
      readByServer: MiB(read),
    });
    allRead = read >= uploaded;
    if (allRead) resolve();
  });
  // Final stats stay readable for 30 s after the end; later, the handshake is refused.
  uploadStats.addEventListener('close', resolve);
});
upload.close(1000, 'all read');
