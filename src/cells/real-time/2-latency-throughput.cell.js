/** Throughput, latency and Little's law for collected samples. */
function measure(samples) {
  const first = samples[0];
  const last = samples.at(-1);
  const seconds = (last.arrivedAt - first.arrivedAt) / 1000;
  const perSecond = (samples.length - 1) / seconds;
  const delays = samples.map((sample) => sample.arrivedAt - sample.producedAt);
  const meanDelayMs = delays.reduce((sum, ms) => sum + ms, 0) / delays.length;
  // Little's law: messages in flight = throughput × latency.
  const inFlight = (perSecond * meanDelayMs) / 1000;
  return {
    perSecond: round(perSecond),
    meanDelayMs: round(meanDelayMs),
    inFlight: round(inFlight),
  };
}

display(measure(await collectSamples('rate=10&delay=100', 8)));
display(measure(await collectSamples('rate=50&delay=100', 30)));
display(measure(await collectSamples('rate=50&delay=20', 30)));
