/**
 * Messages between a page and its notebook kernel (a Web Worker). Every
 * message is structured-cloneable. The page sends commands; the worker
 * reports outputs, each tagged with the cell they belong to, and the end of
 * each run.
 */

/** A JavaScript value, summarised so it can cross postMessage and be rendered as an expandable tree. */
export type Preview =
  | { readonly kind: 'undefined' }
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'number'; readonly value: string }
  | { readonly kind: 'bigint'; readonly value: string }
  | { readonly kind: 'string'; readonly value: string; readonly truncated: boolean }
  | { readonly kind: 'symbol'; readonly value: string }
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'error'; readonly name: string; readonly message: string }
  | { readonly kind: 'bytes'; readonly className: string; readonly byteLength: number; readonly hex: string }
  | {
      readonly kind: 'object';
      /** Constructor name, `Array`, `Map`… */
      readonly className: string;
      /** Short one-line summary, e.g. `{url: "ws://…", readyState: 1}`. */
      readonly summary: string;
      readonly entries: readonly (readonly [key: string, value: Preview])[];
      /** Entries left out for size. */
      readonly omitted: number;
    }
  /** An object deeper than the preview depth, or seen before (a cycle). */
  | { readonly kind: 'ref'; readonly className: string; readonly summary: string };

/** What a WebSocket did, as shown under the cell that created it. */
export type SocketEvent =
  | { readonly event: 'connecting'; readonly url: string; readonly protocols: readonly string[] }
  | { readonly event: 'open'; readonly protocol: string; readonly extensions: string }
  | { readonly event: 'sent' | 'received'; readonly data: Preview; readonly bytes: number; readonly binary: boolean }
  | { readonly event: 'error' }
  | { readonly event: 'close'; readonly code: number; readonly reason: string; readonly wasClean: boolean };

export type OutputItem =
  | { readonly kind: 'log'; readonly level: 'log' | 'info' | 'warn' | 'error' | 'debug'; readonly values: readonly Preview[] }
  | { readonly kind: 'display'; readonly value: Preview }
  /** The value of the cell's last expression, like Jupyter's `Out[n]`. */
  | { readonly kind: 'result'; readonly value: Preview }
  | ({ readonly kind: 'socket'; readonly socketId: number } & SocketEvent)
  | {
      readonly kind: 'exception';
      readonly name: string;
      readonly message: string;
      /** 1-based line in the cell's code, when known. */
      readonly line: number | null;
      readonly column: number | null;
      /** Whether it was thrown after the cell finished (in a callback). */
      readonly async: boolean;
    };

/** An output with where and when it happened. */
export interface OutputMessage {
  readonly type: 'output';
  readonly cellId: string;
  /** `performance.timeOrigin + performance.now()` in the worker, ms since the epoch. */
  readonly at: number;
  readonly item: OutputItem;
}

export type RunStatus = 'ok' | 'error' | 'stopped';

export interface CheckResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed, in words a reader can act on. */
  readonly message: string | null;
}

export type PageToKernel =
  | { readonly type: 'init'; readonly server: string }
  | { readonly type: 'run'; readonly runId: number; readonly cellId: string; readonly code: string }
  | {
      readonly type: 'check';
      readonly runId: number;
      readonly cellId: string;
      readonly code: string;
      /** Author-written check code, run after `code` in the same scope. */
      readonly checks: string;
    }
  /** Ends the current run: pending `sleep()`s reject and the run reports `stopped`. */
  | { readonly type: 'interrupt'; readonly runId: number }
  /** Closes every socket the kernel opened (before the page terminates the worker). */
  | { readonly type: 'shutdown' };

export type KernelToPage =
  | { readonly type: 'ready' }
  | OutputMessage
  | { readonly type: 'started'; readonly runId: number; readonly cellId: string }
  | { readonly type: 'done'; readonly runId: number; readonly cellId: string; readonly status: RunStatus }
  | { readonly type: 'checked'; readonly runId: number; readonly cellId: string; readonly results: readonly CheckResult[] }
  | { readonly type: 'interrupted'; readonly runId: number }
  | { readonly type: 'shutdown-complete'; readonly socketsClosed: number };

const PAGE_TO_KERNEL_TYPES = new Set(['init', 'run', 'check', 'interrupt', 'shutdown']);
const KERNEL_TO_PAGE_TYPES = new Set(['ready', 'output', 'started', 'done', 'checked', 'interrupted', 'shutdown-complete']);

function hasType(value: unknown, types: ReadonlySet<string>): boolean {
  return typeof value === 'object' && value !== null && types.has(String((value as { type?: unknown }).type));
}

/** Guards a message event's data on the worker side. */
export function isPageToKernel(value: unknown): value is PageToKernel {
  return hasType(value, PAGE_TO_KERNEL_TYPES);
}

/** Guards a message event's data on the page side. */
export function isKernelToPage(value: unknown): value is KernelToPage {
  return hasType(value, KERNEL_TO_PAGE_TYPES);
}
