import ReconnectingWebSocketBase from 'partysocket/ws';
import { partysocketOptions } from '../../shared/reconnect.ts';
import { AsyncFunction } from './async-function.ts';
import { createCheckApi, type CheckRecorder, type SocketSummary } from './checks.ts';
import { preview, PREVIEW_DEFAULTS, summarise, type PreviewOptions } from './preview.ts';
import type { CheckResult, KernelToPage, OutputItem, PageToKernel, SocketEvent } from './protocol.ts';
import { transformCell } from './transform.ts';

/**
 * The notebook kernel's runtime: runs cells in one shared scope, captures
 * console output, `display()` calls and WebSocket events, and attributes
 * every output to the cell that caused it, even when it happens later (a
 * message arriving after the cell finished prints under the cell that
 * opened the socket). It runs in a Web Worker in the browser, and in Node in
 * the tests; everything it touches comes in through `KernelHost`.
 */

export interface KernelHost {
  /** The WebSocket class to instrument (the browser's, or Node's global one). */
  readonly WebSocket: typeof WebSocket;
  /** Sends a message to the page. */
  post(message: KernelToPage): void;
  /** Epoch milliseconds. */
  now(): number;
}

export interface RuntimeLimits {
  /** Output items per cell per second before the rest are dropped (and counted). */
  readonly outputsPerSecond: number;
  /** Socket events kept per socket for checks. */
  readonly socketEventsKept: number;
  /** How long the reader's code may run before an exercise's checks start anyway. */
  readonly checkCodeTimeoutMs: number;
  /** How long shutdown waits for sockets to finish closing. */
  readonly shutdownWaitMs: number;
}

export const RUNTIME_DEFAULTS: RuntimeLimits = {
  outputsPerSecond: 500,
  socketEventsKept: 1_000,
  checkCodeTimeoutMs: 10_000,
  shutdownWaitMs: 250,
};

/** Thrown into a cell's pending `sleep()` when the reader presses Stop. */
export class KernelInterrupt extends Error {
  override name = 'KernelInterrupt';
  constructor() {
    super('stopped');
  }
}

/** What the kernel remembers about every socket a cell opened, for checks. */
export interface SocketRecord {
  readonly id: number;
  readonly cellId: string;
  readonly url: string;
  readonly socket: WebSocket;
  readonly events: SocketEvent[];
  /** Raw messages each way, for checks (bounded like `events`). */
  readonly sent: unknown[];
  readonly received: unknown[];
  opened: boolean;
  close: { readonly code: number; readonly reason: string; readonly wasClean: boolean } | null;
}

interface ActiveRun {
  readonly runId: number;
  readonly cellId: string;
  readonly controller: AbortController;
  readonly sourceUrl: string;
  finished: boolean;
}


const LISTENER_PROPERTIES = ['onopen', 'onmessage', 'onerror', 'onclose'] as const;

/**
 * Payloads in socket event rows are a glance, not the data: a cell sending
 * 60 KB messages would otherwise put megabytes of text in the page. The
 * byte count is always exact; `display()` shows a value in full.
 */
const SOCKET_PAYLOAD_PREVIEW: PreviewOptions = { ...PREVIEW_DEFAULTS, maxStringChars: 300 };

function byteLength(data: unknown): number {
  if (typeof data === 'string') return new TextEncoder().encode(data).byteLength;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data.size;
  return 0;
}

export class KernelRuntime {
  readonly #host: KernelHost;
  readonly #limits: RuntimeLimits;
  /** The notebook's variables, shared by every cell. */
  readonly #scope: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  readonly #kernelGlobals: Record<string, unknown>;
  readonly #sockets: SocketRecord[] = [];
  readonly #timersByCell = new Map<string, Set<ReturnType<typeof setTimeout>>>();
  readonly #outputCounts = new Map<string, { second: number; count: number; dropped: number }>();
  /** Console lines per cell, as text, for checks. */
  readonly #logs = new Map<string, string[]>();
  #server = '';
  #currentCell: string | null = null;
  #lastCell = 'kernel';
  #active: ActiveRun | null = null;
  #queue: Promise<void> = Promise.resolve();
  #lineOffset: number | null = null;
  #nextSocketId = 1;

  constructor(host: KernelHost, limits: RuntimeLimits = RUNTIME_DEFAULTS) {
    this.#host = host;
    this.#limits = limits;
    this.#kernelGlobals = this.#createGlobals();
    void this.#calibrateLineOffset();
  }

  /** Handles one command from the page. */
  receive(message: PageToKernel): void {
    switch (message.type) {
      case 'init':
        this.#server = message.server;
        this.#kernelGlobals.SERVER = message.server;
        this.#host.post({ type: 'ready' });
        return;
      case 'run':
        this.#enqueue(() => this.#run(message.runId, message.cellId, message.code).then(() => undefined));
        return;
      case 'check':
        this.#enqueue(() => this.#check(message.runId, message.cellId, message.code, message.checks));
        return;
      case 'interrupt':
        this.#interrupt(message.runId);
        return;
      case 'shutdown':
        void this.#shutDown();
        return;
    }
  }

  /** Reports an error nothing else caught (the worker's `error`/`unhandledrejection` events). */
  reportUncaught(error: unknown): void {
    this.#emitException(error, this.#currentCell ?? this.#lastCell, true);
  }

  /**
   * Closes every socket, waits (briefly) for their close events so the cells
   * show how each ended, then tells the page it may terminate the worker.
   */
  async #shutDown(): Promise<void> {
    const open = this.#sockets.filter((record) => record.socket.readyState <= 1).map((record) => record.socket);
    const closed = Promise.all(open.map((socket) => new Promise((resolve) => socket.addEventListener('close', resolve, { once: true }))));
    // Browsers only let scripts close with 1000 or 3000–4999 (1001 is theirs, for navigating away).
    const count = this.closeAllSockets(1000, 'kernel restarted');
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, this.#limits.shutdownWaitMs))]);
    this.#host.post({ type: 'shutdown-complete', socketsClosed: count });
  }

  /** Closes every socket still open or connecting; returns how many. */
  closeAllSockets(code: number, reason: string): number {
    let closed = 0;
    for (const record of this.#sockets) {
      if (record.socket.readyState === 0 || record.socket.readyState === 1) {
        record.socket.close(code, reason);
        closed += 1;
      }
    }
    return closed;
  }

  get server(): string {
    return this.#server;
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task, task);
  }

  // ---- Output -------------------------------------------------------------

  #emit(cellId: string, item: OutputItem): void {
    const now = this.#host.now();
    const second = Math.floor(now / 1000);
    const counter = this.#outputCounts.get(cellId) ?? { second, count: 0, dropped: 0 };
    if (counter.second !== second) {
      if (counter.dropped > 0) {
        this.#host.post({
          type: 'output',
          cellId,
          at: now,
          item: { kind: 'log', level: 'warn', values: [preview(`… ${String(counter.dropped)} more outputs dropped (over ${String(this.#limits.outputsPerSecond)} a second)`)] },
        });
      }
      counter.second = second;
      counter.count = 0;
      counter.dropped = 0;
    }
    counter.count += 1;
    this.#outputCounts.set(cellId, counter);
    if (counter.count > this.#limits.outputsPerSecond) {
      counter.dropped += 1;
      return;
    }
    this.#host.post({ type: 'output', cellId, at: now, item });
  }

  #cellForOutput(): string {
    return this.#currentCell ?? this.#lastCell;
  }

  /** 1-based line of the reader's code where `error` was thrown, from its stack. */
  #locate(error: unknown): { line: number | null; column: number | null } {
    const stack = error instanceof Error ? (error.stack ?? '') : '';
    const match = /cell-[\w-]+\.js:(\d+):(\d+)/.exec(stack);
    if (match === null) return { line: null, column: null };
    const offset = this.#lineOffset ?? 2;
    return { line: Number(match[1]) - offset, column: Number(match[2]) };
  }

  /**
   * Engines put a header before the body of `new AsyncFunction(...)` code
   * (V8: two lines), so measure once where line 1 of a body lands.
   */
  async #calibrateLineOffset(): Promise<void> {
    try {
      const probe = new AsyncFunction('__kernel', '__scope', 'with (__kernel) with (__scope) {return new Error()\n}\n//# sourceURL=cell-calibrate.js');
      const error = (await probe({}, {})) as Error;
      const line = /cell-calibrate\.js:(\d+)/.exec(error.stack ?? '')?.[1];
      this.#lineOffset = line === undefined ? 2 : Number(line) - 1;
    } catch {
      this.#lineOffset = 2;
    }
  }

  #emitException(error: unknown, cellId: string, async: boolean): void {
    if (error instanceof KernelInterrupt) return;
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : `Uncaught ${String(error)}`;
    this.#emit(cellId, { kind: 'exception', name, message, ...this.#locate(error), async });
  }

  // ---- Context ------------------------------------------------------------

  /** Runs `callback` as if it were part of `cellId`: its outputs land under that cell. */
  #inCell<T>(cellId: string, callback: () => T): T {
    const previous = this.#currentCell;
    this.#currentCell = cellId;
    try {
      return callback();
    } finally {
      this.#currentCell = previous;
    }
  }

  /** Wraps a callback the reader registered so it runs in `cellId`'s context and its errors are reported there. */
  #wrap<A extends unknown[]>(callback: (...args: A) => unknown, cellId: string, self?: unknown): (...args: A) => void {
    return (...args: A) => {
      try {
        const result = this.#inCell(cellId, () => callback.apply(self, args));
        if (result instanceof Promise) {
          result.catch((error: unknown) => {
            this.#emitException(error, cellId, true);
          });
        }
      } catch (error) {
        this.#emitException(error, cellId, true);
      }
    };
  }

  // ---- Globals cells see --------------------------------------------------

  #createGlobals(): Record<string, unknown> {
    const log =
      (level: 'log' | 'info' | 'warn' | 'error' | 'debug') =>
      (...values: unknown[]) => {
        const cellId = this.#cellForOutput();
        const previews = values.map((value) => preview(value));
        const lines = this.#logs.get(cellId) ?? [];
        if (lines.length < this.#limits.socketEventsKept) {
          lines.push(previews.map((item) => (item.kind === 'string' ? item.value : summarise(item, 500))).join(' '));
        }
        this.#logs.set(cellId, lines);
        this.#emit(cellId, { kind: 'log', level, values: previews });
      };
    const consoleProxy = {
      log: log('log'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      debug: log('debug'),
      dir: log('log'),
      table: log('log'),
    };
    const NotebookWebSocket = this.#instrumentedWebSocket();
    class ReconnectingWebSocket extends ReconnectingWebSocketBase {
      constructor(url: string, protocols?: string | string[], options: ConstructorParameters<typeof ReconnectingWebSocketBase>[2] = {}) {
        super(url, protocols, { ...partysocketOptions(), WebSocket: NotebookWebSocket, ...options });
      }
    }
    const timers = {
      setTimeout: (callback: (...args: unknown[]) => unknown, delay?: number, ...args: unknown[]) =>
        this.#trackTimer(setTimeout(this.#timerCallback(callback), delay, ...args)),
      setInterval: (callback: (...args: unknown[]) => unknown, delay?: number, ...args: unknown[]) =>
        this.#trackTimer(setInterval(this.#timerCallback(callback), delay, ...args)),
      clearTimeout: (id: ReturnType<typeof setTimeout>) => {
        clearTimeout(id);
      },
      clearInterval: (id: ReturnType<typeof setInterval>) => {
        clearInterval(id);
      },
    };
    return {
      SERVER: this.#server,
      WebSocket: NotebookWebSocket,
      ReconnectingWebSocket,
      console: consoleProxy,
      display: (...values: unknown[]) => {
        for (const value of values) this.#emit(this.#cellForOutput(), { kind: 'display', value: preview(value) });
      },
      sleep: (ms: number) => this.#sleep(ms),
      ...timers,
    };
  }

  #timerCallback(callback: (...args: unknown[]) => unknown): (...args: unknown[]) => void {
    if (typeof callback !== 'function') throw new TypeError('setTimeout and setInterval need a function');
    return this.#wrap(callback, this.#cellForOutput());
  }

  #trackTimer(id: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
    const cellId = this.#cellForOutput();
    const set = this.#timersByCell.get(cellId) ?? new Set();
    set.add(id);
    this.#timersByCell.set(cellId, set);
    return id;
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#active?.controller.signal;
    if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new RangeError(`sleep(ms) needs a number of milliseconds ≥ 0, got ${String(ms)}`));
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new KernelInterrupt());
        return;
      }
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new KernelInterrupt());
      });
    });
  }

  /**
   * A `WebSocket` subclass that reports its events under the cell that
   * created it, records them for checks, and runs the reader's listeners in
   * that cell's context.
   */
  #instrumentedWebSocket(): typeof WebSocket {
    const Base = this.#host.WebSocket;
    // The class below needs the runtime, and inside its methods `this` is the socket.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const runtime = this;
    const wrappedListeners = new WeakMap<object, (event: Event) => void>();
    const record = (socketRecord: SocketRecord, event: SocketEvent) => {
      if (socketRecord.events.length < runtime.#limits.socketEventsKept) socketRecord.events.push(event);
      runtime.#emit(socketRecord.cellId, { kind: 'socket', socketId: socketRecord.id, ...event });
    };
    const records = new WeakMap<WebSocket, SocketRecord>();
    class NotebookWebSocket extends Base {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        const cellId = runtime.#cellForOutput();
        const socketRecord: SocketRecord = {
          id: runtime.#nextSocketId++,
          cellId,
          url: this.url,
          socket: this,
          events: [],
          sent: [],
          received: [],
          opened: false,
          close: null,
        };
        records.set(this, socketRecord);
        runtime.#sockets.push(socketRecord);
        record(socketRecord, { event: 'connecting', url: this.url, protocols: protocols === undefined ? [] : [protocols].flat() });
        super.addEventListener('open', () => {
          socketRecord.opened = true;
          record(socketRecord, { event: 'open', protocol: this.protocol, extensions: this.extensions });
        });
        super.addEventListener('message', (event: MessageEvent) => {
          if (socketRecord.received.length < runtime.#limits.socketEventsKept) socketRecord.received.push(event.data);
          record(socketRecord, { event: 'received', data: preview(event.data, SOCKET_PAYLOAD_PREVIEW), bytes: byteLength(event.data), binary: typeof event.data !== 'string' });
        });
        super.addEventListener('error', () => {
          record(socketRecord, { event: 'error' });
        });
        super.addEventListener('close', (event: CloseEvent) => {
          socketRecord.close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
          record(socketRecord, { event: 'close', code: event.code, reason: event.reason, wasClean: event.wasClean });
        });
      }

      override send(data: Parameters<WebSocket['send']>[0]): void {
        super.send(data);
        const socketRecord = records.get(this);
        if (socketRecord === undefined) return;
        if (socketRecord.sent.length < runtime.#limits.socketEventsKept) socketRecord.sent.push(data);
        const event: SocketEvent = { event: 'sent', data: preview(data, SOCKET_PAYLOAD_PREVIEW), bytes: byteLength(data), binary: typeof data !== 'string' };
        if (socketRecord.events.length < runtime.#limits.socketEventsKept) socketRecord.events.push(event);
        // A send shows under the cell that sent, which may not be the one that opened the socket.
        runtime.#emit(runtime.#cellForOutput(), { kind: 'socket', socketId: socketRecord.id, ...event });
      }

      override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
        if (listener === null) return;
        // A listener's console output belongs to the cell that added it.
        const cellId = runtime.#cellForOutput();
        const callback = typeof listener === 'function' ? listener : (event: Event) => listener.handleEvent(event);
        let wrapped = wrappedListeners.get(listener);
        if (wrapped === undefined) {
          wrapped = runtime.#wrap(callback, cellId, this);
          wrappedListeners.set(listener, wrapped);
        }
        super.addEventListener(type, wrapped, options);
      }

      override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
        if (listener === null) return;
        super.removeEventListener(type, wrappedListeners.get(listener) ?? listener, options);
      }
    }
    // `socket.onmessage = …` must run in the cell's context too.
    for (const property of LISTENER_PROPERTIES) {
      const handlers = new WeakMap<WebSocket, { original: unknown; wrapped: ((event: Event) => void) | null }>();
      Object.defineProperty(NotebookWebSocket.prototype, property, {
        configurable: true,
        enumerable: true,
        get(this: WebSocket) {
          return handlers.get(this)?.original ?? null;
        },
        set(this: NotebookWebSocket, handler: unknown) {
          const previous = handlers.get(this);
          if (previous?.wrapped) Base.prototype.removeEventListener.call(this, property.slice(2), previous.wrapped);
          if (typeof handler !== 'function') {
            handlers.set(this, { original: null, wrapped: null });
            return;
          }
          const cellId = runtime.#cellForOutput();
          const wrapped = runtime.#wrap(handler as (event: Event) => unknown, cellId, this);
          Base.prototype.addEventListener.call(this, property.slice(2), wrapped);
          handlers.set(this, { original: handler, wrapped });
        },
      });
    }
    Object.defineProperty(NotebookWebSocket, 'name', { value: 'WebSocket' });
    return NotebookWebSocket;
  }

  // ---- Running cells --------------------------------------------------------

  /** Runs a cell; resolves with its status once it finished or was stopped. */
  async #run(runId: number, cellId: string, source: string): Promise<'ok' | 'error' | 'stopped'> {
    this.#lastCell = cellId;
    this.#host.post({ type: 'started', runId, cellId });
    const transformed = transformCell(source);
    if (!transformed.ok) {
      this.#emit(cellId, { kind: 'exception', name: 'SyntaxError', message: transformed.message, line: transformed.line, column: transformed.column, async: false });
      this.#host.post({ type: 'done', runId, cellId, status: 'error' });
      return 'error';
    }
    const run: ActiveRun = { runId, cellId, controller: new AbortController(), sourceUrl: `cell-${cellId.replace(/[^\w-]/g, '_')}-${String(runId)}.js`, finished: false };
    this.#active = run;
    let status: 'ok' | 'error' | 'stopped' = 'ok';
    this.#currentCell = cellId;
    try {
      const body = `with (__kernel) with (__scope) {${transformed.code}\n}\n//# sourceURL=${run.sourceUrl}`;
      const cell = new AsyncFunction('__kernel', '__scope', body);
      const stopped = new Promise<'stopped'>((resolve) => {
        run.controller.signal.addEventListener('abort', () => resolve('stopped'));
      });
      const outcome = await Promise.race([cell(this.#kernelGlobals, this.#scope).then((value) => ({ value })), stopped]);
      if (outcome === 'stopped') {
        status = 'stopped';
      } else if (transformed.returnsLastExpression && outcome.value !== undefined) {
        this.#emit(cellId, { kind: 'result', value: preview(outcome.value) });
      }
    } catch (error) {
      if (error instanceof KernelInterrupt || run.controller.signal.aborted) {
        status = 'stopped';
      } else {
        status = 'error';
        this.#emitException(error, cellId, false);
      }
    } finally {
      this.#currentCell = null;
      run.finished = true;
      if (this.#active === run) this.#active = null;
    }
    this.#host.post({ type: 'done', runId, cellId, status });
    return status;
  }

  #interrupt(runId: number): void {
    const run = this.#active;
    this.#host.post({ type: 'interrupted', runId });
    if (run === null || run.runId !== runId) return;
    run.controller.abort();
    // Stop also cancels the timers this cell started, so a runaway setInterval ends too.
    for (const id of this.#timersByCell.get(run.cellId) ?? []) clearTimeout(id);
    this.#timersByCell.delete(run.cellId);
  }

  async #check(runId: number, cellId: string, code: string, checks: string): Promise<void> {
    const results: CheckResult[] = [];
    const recorder: CheckRecorder = { results };
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), this.#limits.checkCodeTimeoutMs));
    const status = await Promise.race([this.#run(runId, cellId, code), timeout]);
    if (status === 'error') {
      results.push({ name: 'Your code runs', passed: false, message: 'your code threw an error (shown below the cell); fix it and check again' });
      this.#host.post({ type: 'checked', runId, cellId, results });
      return;
    }
    if (status === 'stopped') {
      results.push({ name: 'Your code runs', passed: false, message: 'the run was stopped before the checks could start' });
      this.#host.post({ type: 'checked', runId, cellId, results });
      return;
    }
    const api = createCheckApi(recorder, {
      // Live views, so `waitFor(() => lastSocket().close)` sees the close when it comes.
      sockets: () =>
        this.#sockets
          .filter((record) => record.cellId === cellId)
          .map(
            (record): SocketSummary => ({
              url: record.url,
              get protocol() {
                return record.socket.protocol;
              },
              get readyState() {
                return record.socket.readyState;
              },
              get opened() {
                return record.opened;
              },
              sent: record.sent,
              received: record.received,
              get close() {
                return record.close;
              },
            }),
          ),
      logs: () => [...(this.#logs.get(cellId) ?? [])],
      scope: this.#scope,
      server: this.#server,
    });
    try {
      const body = `with (__kernel) with (__scope) with (__checks) {${checks}\n}\n//# sourceURL=checks-${String(runId)}.js`;
      const run = new AsyncFunction('__kernel', '__scope', '__checks', body);
      await this.#inCell(cellId, () => run(this.#kernelGlobals, this.#scope, api));
    } catch (error) {
      results.push({ name: 'Checks ran', passed: false, message: `the checks themselves failed: ${error instanceof Error ? error.message : String(error)}` });
    }
    this.#host.post({ type: 'checked', runId, cellId, results });
  }
}
