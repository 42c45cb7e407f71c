import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KernelToPage, OutputMessage } from '../../src/notebook/kernel/protocol.ts';
import { KernelRuntime } from '../../src/notebook/kernel/runtime.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

/** A kernel runtime in Node, on Node's own WebSocket, talking to a real demo server. */
function createKernel(server: string) {
  const messages: KernelToPage[] = [];
  const runtime = new KernelRuntime({ WebSocket: globalThis.WebSocket, post: (message) => messages.push(message), now: () => Date.now() });
  runtime.receive({ type: 'init', server });
  let nextRun = 1;
  const outputs = (cellId: string) =>
    messages.filter((message): message is OutputMessage => message.type === 'output' && message.cellId === cellId).map((message) => message.item);
  const done = (runId: number) => messages.find((message) => message.type === 'done' && message.runId === runId);
  return {
    messages,
    runtime,
    outputs,
    /** Runs a cell and resolves with its status when the kernel reports it done. */
    async run(cellId: string, code: string): Promise<string> {
      const runId = nextRun++;
      runtime.receive({ type: 'run', runId, cellId, code });
      await expect.poll(() => done(runId), { timeout: 10_000 }).toBeDefined();
      return (done(runId) as { status: string }).status;
    },
    async check(cellId: string, code: string, checks: string) {
      const runId = nextRun++;
      runtime.receive({ type: 'check', runId, cellId, code, checks });
      await expect.poll(() => messages.find((message) => message.type === 'checked' && message.runId === runId), { timeout: 15_000 }).toBeDefined();
      return (messages.find((message) => message.type === 'checked' && message.runId === runId) as unknown as { results: unknown[] }).results;
    },
    start(cellId: string, code: string): number {
      const runId = nextRun++;
      runtime.receive({ type: 'run', runId, cellId, code });
      return runId;
    },
    done,
  };
}

describe('KernelRuntime', () => {
  let running: RunningServer;
  let kernel: ReturnType<typeof createKernel>;
  beforeEach(async () => {
    running = await startServer();
    kernel = createKernel(running.wsUrl);
  });
  afterEach(async () => {
    kernel.runtime.closeAllSockets(1000, 'test over');
    await running.close();
  });

  it('shares variables between cells, and a socket opened in one cell is usable in the next', async () => {
    expect(await kernel.run('open', "const socket = new WebSocket(SERVER + '/ws/echo');\nawait new Promise((resolve) => socket.addEventListener('open', resolve));")).toBe('ok');
    expect(await kernel.run('send', "socket.send('hello');\nconst reply = await new Promise((resolve) => socket.addEventListener('message', (event) => resolve(event.data), { once: true }));\nconsole.log('got', reply);")).toBe('ok');
    expect(kernel.outputs('send')).toContainEqual({ kind: 'log', level: 'log', values: [{ kind: 'string', value: 'got', truncated: false }, { kind: 'string', value: 'hello', truncated: false }] });
  });

  it('reports socket events under the cell that opened the socket, even after that cell finished', async () => {
    await kernel.run('open', "const socket = new WebSocket(SERVER + '/ws/echo');\nsocket.onmessage = (event) => console.log('echo:', event.data);\nawait new Promise((resolve) => socket.addEventListener('open', resolve));");
    await kernel.run('later', "socket.send('late message');");
    await expect.poll(() => kernel.outputs('open').filter((item) => item.kind === 'log').length).toBe(1);
    const events = kernel.outputs('open').filter((item) => item.kind === 'socket').map((item) => (item as { event: string }).event);
    expect(events).toEqual(['connecting', 'open', 'received']);
    // The send shows under the cell that sent; the echo under the cell that owns the socket.
    expect(kernel.outputs('later')).toEqual([expect.objectContaining({ kind: 'socket', event: 'sent', bytes: 12 })]);
    expect(kernel.outputs('open').find((item) => item.kind === 'log')).toMatchObject({ values: [{ value: 'echo:' }, { value: 'late message' }] });
  });

  it('shows a glance of large payloads in socket rows, with the exact byte count', async () => {
    await kernel.run('big', "const socket = new WebSocket(SERVER + '/ws/echo');\nawait new Promise((resolve) => socket.onopen = resolve);\nsocket.send('x'.repeat(5000));");
    const sent = kernel.outputs('big').find((item) => item.kind === 'socket' && item.event === 'sent');
    expect(sent).toMatchObject({ bytes: 5000, data: { kind: 'string', truncated: true } });
    expect((sent as { data: { value: string } }).data.value).toHaveLength(300);
  });

  it('shows the close code, reason and wasClean', async () => {
    await kernel.run('close', "const socket = new WebSocket(SERVER + '/ws/echo');\nawait new Promise((resolve) => socket.onopen = resolve);\nsocket.close(4000, 'done');\nawait new Promise((resolve) => socket.onclose = resolve);");
    expect(kernel.outputs('close').find((item) => item.kind === 'socket' && item.event === 'close')).toMatchObject({ code: 4000, reason: 'done', wasClean: true });
  });

  it('reports an uncaught error with the line it came from and marks the run as an error', async () => {
    expect(await kernel.run('broken', 'const a = 1;\nundefinedFunction();')).toBe('error');
    expect(kernel.outputs('broken')).toEqual([
      { kind: 'exception', name: 'ReferenceError', message: 'undefinedFunction is not defined', line: 2, column: 1, async: false },
    ]);
  });

  it('reports syntax errors with line and column', async () => {
    expect(await kernel.run('syntax', 'const ok = 1;\nconst = 2;')).toBe('error');
    expect(kernel.outputs('syntax')).toEqual([{ kind: 'exception', name: 'SyntaxError', message: 'Unexpected token', line: 2, column: 7, async: false }]);
  });

  it('reports errors thrown later in a callback under the cell that registered it', async () => {
    await kernel.run('timer', "setTimeout(() => {\n  null.property;\n}, 10);");
    await expect.poll(() => kernel.outputs('timer').find((item) => item.kind === 'exception')).toMatchObject({ name: 'TypeError', line: 2, async: true });
  });

  it('shows the value of the last expression, and display() values', async () => {
    await kernel.run('values', "display({ a: 1, nested: { b: [1, 2] } });\n6 * 7");
    expect(kernel.outputs('values')).toEqual([
      { kind: 'display', value: expect.objectContaining({ kind: 'object', summary: '{a: 1, nested: {b: (2) [1, 2]}}' }) as unknown },
      { kind: 'result', value: { kind: 'number', value: '42' } },
    ]);
  });

  it('stops a run waiting in sleep() and cancels its timers when interrupted', async () => {
    const runId = kernel.start('slow', "setInterval(() => console.log('tick'), 5);\nawait sleep(60_000);\nconsole.log('never');");
    await expect.poll(() => kernel.outputs('slow').length).toBeGreaterThan(0);
    kernel.runtime.receive({ type: 'interrupt', runId });
    await expect.poll(() => kernel.done(runId)).toMatchObject({ status: 'stopped' });
    const ticks = kernel.outputs('slow').length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(kernel.outputs('slow').length).toBe(ticks);
    expect(await kernel.run('after', '1 + 1')).toBe('ok');
  });

  it('drops output beyond the per-second limit instead of flooding the page', async () => {
    await kernel.run('flood', "for (let i = 0; i < 2000; i++) console.log(i);");
    expect(kernel.outputs('flood').length).toBeLessThanOrEqual(500);
  });

  it('closes every socket on shutdown', async () => {
    await kernel.run('open', "const socket = new WebSocket(SERVER + '/ws/echo');\nawait new Promise((resolve) => socket.onopen = resolve);");
    kernel.runtime.receive({ type: 'shutdown' });
    await expect.poll(() => kernel.messages.at(-1)).toEqual({ type: 'shutdown-complete', socketsClosed: 1 });
    expect(kernel.outputs('open').at(-1)).toMatchObject({ kind: 'socket', event: 'close', code: 1000, reason: 'kernel restarted', wasClean: true });
    await expect.poll(() => running.log.find((line) => line.includes(' close '))).toMatch(/1000 "kernel restarted" by client/);
  });

  describe('checks', () => {
    it('passes when the reader code does what the checks expect', async () => {
      const results = await kernel.check(
        'exercise',
        "const socket = new WebSocket(SERVER + '/ws/echo');\nsocket.onopen = () => socket.send('hi');\nsocket.onmessage = () => socket.close(1000, 'done');",
        "await check('sends hi', async () => {\n  const s = lastSocket();\n  await waitFor(() => s.close, 'the socket to close');\n  expectEqual(s.sent, ['hi'], 'the messages sent');\n  expectEqual(lastSocket().close.code, 1000, 'the close code');\n});",
      );
      expect(results).toEqual([{ name: 'sends hi', passed: true, message: null }]);
    });

    it('fails with a specific reason', async () => {
      const results = await kernel.check(
        'exercise',
        "const socket = new WebSocket(SERVER + '/ws/echo');\nsocket.onopen = () => socket.close(4000);",
        "await check('closes normally', async () => {\n  const close = await waitFor(() => lastSocket().close, 'the socket to close');\n  expectEqual(close.code, 1000, 'the close code');\n});\nawait check('declares answer', () => variable('answer'));",
      );
      expect(results).toEqual([
        { name: 'closes normally', passed: false, message: 'expected the close code 1000, got 4000' },
        { name: 'declares answer', passed: false, message: 'expected your code to declare a variable named answer' },
      ]);
    });

    it('says the code threw instead of running the checks', async () => {
      const results = await kernel.check('exercise', 'nope(', "await check('x', () => {});");
      expect(results).toEqual([{ name: 'Your code runs', passed: false, message: 'your code threw an error (shown below the cell); fix it and check again' }]);
    });
  });
});
