import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kernel, type KernelEvent } from '../../src/notebook/kernel/kernel.ts';
import { InProcessWorker, StuckWorker } from '../helpers/in-process-worker.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

describe('Kernel', () => {
  let running: RunningServer;
  let events: KernelEvent[];
  let workers: InProcessWorker[];
  let kernel: Kernel;
  beforeEach(async () => {
    running = await startServer();
    events = [];
    workers = [];
    kernel = new Kernel(() => {
      const worker = new InProcessWorker();
      workers.push(worker);
      return worker;
    }, running.wsUrl);
    kernel.subscribe((event) => events.push(event));
  });
  afterEach(async () => {
    await kernel.dispose();
    await running.close();
  });

  const doneEvents = () => events.filter((event) => event.type === 'done');

  it('runs queued cells one at a time, in order, numbering executions', async () => {
    kernel.run('a', "await sleep(30); console.log('a');");
    kernel.run('b', "console.log('b');");
    await expect.poll(() => doneEvents().length).toBe(2);
    const order = events.filter((event) => event.type === 'started' || event.type === 'done').map((event) => `${event.type}:${event.cellId}`);
    expect(order).toEqual(['started:a', 'done:a', 'started:b', 'done:b']);
    expect(events.filter((event) => event.type === 'started').map((event) => event.executionCount)).toEqual([1, 2]);
    expect(kernel.state).toBe('idle');
  });

  it('drops a queued run on stop, and interrupts a running one', async () => {
    kernel.run('slow', 'await sleep(60_000);');
    kernel.run('queued', "console.log('should not run');");
    await expect.poll(() => events.some((event) => event.type === 'started')).toBe(true);
    kernel.stop('queued');
    kernel.stop('slow');
    await expect.poll(() => doneEvents().map((event) => `${event.cellId}:${event.status}`).sort()).toEqual(['queued:stopped', 'slow:stopped']);
    expect(events.some((event) => event.type === 'output' && event.cellId === 'queued')).toBe(false);
    expect(workers).toHaveLength(1);
  });

  it('restart closes the sockets, replaces the worker and resets the execution count', async () => {
    kernel.run('open', "const socket = new WebSocket(SERVER + '/ws/echo'); await new Promise((resolve) => socket.onopen = resolve);");
    await expect.poll(() => doneEvents().length).toBe(1);
    await kernel.restart();
    expect(workers).toHaveLength(2);
    expect(workers[0]?.terminated).toBe(true);
    expect(events).toContainEqual({ type: 'restarted', reason: 'requested', cellId: null });
    await expect.poll(() => running.log.find((line) => line.includes(' close '))).toMatch(/1000 "kernel restarted" by client/);
    kernel.run('after', 'typeof socket');
    await expect.poll(() => events.find((event) => event.type === 'output' && event.cellId === 'after')).toMatchObject({
      item: { kind: 'result', value: { kind: 'string', value: 'undefined' } },
    });
    expect(events.filter((event) => event.type === 'started').at(-1)).toMatchObject({ executionCount: 1 });
  });

  it('replaces a worker that does not yield to Stop (an endless loop)', async () => {
    const stuckKernel = new Kernel(() => new StuckWorker(), running.wsUrl, { interruptTimeoutMs: 50 });
    const stuckEvents: KernelEvent[] = [];
    stuckKernel.subscribe((event) => stuckEvents.push(event));
    stuckKernel.run('loop', 'while (true) {}');
    await expect.poll(() => stuckEvents.some((event) => event.type === 'started')).toBe(true);
    stuckKernel.stop('loop');
    await expect.poll(() => stuckEvents.find((event) => event.type === 'restarted')).toEqual({ type: 'restarted', reason: 'stuck', cellId: 'loop' });
    expect(stuckEvents).toContainEqual({ type: 'done', runId: 1, cellId: 'loop', status: 'stopped' });
    await stuckKernel.dispose();
  });

  it('reports check results after the reader code ran', async () => {
    kernel.check('exercise', "const answer = 42;", "await check('answer is 42', () => expectEqual(answer, 42, 'the answer'));");
    await expect.poll(() => events.find((event) => event.type === 'checked')).toMatchObject({
      cellId: 'exercise',
      results: [{ name: 'answer is 42', passed: true, message: null }],
    });
    expect(kernel.state).toBe('idle');
  });
});
