/**
 * A herd of reconnecting clients for chapter 11's draining lab: N real
 * WebSockets on one instance; the instance closes them all with 1012
 * (Service Restart) and each reconnects to another instance after its
 * delay, all the same (a thundering herd) or with full jitter. No DOM and
 * no Node module: `npm run cluster`'s control process runs it with `ws`.
 *
 * Why not in the page: RFC 6455 §4.1 has a client open one connection to
 * a host at a time ("There MUST be no more than one connection in a
 * CONNECTING state"), and Chromium does, so one browser never makes a herd.
 * A herd is many clients, which the control process plays.
 */
import { fullJitterDelayMs, reconnectDelayMs, type BackoffOptions } from './backoff.ts';
import type { BoundedInteger } from './bounded-integer.ts';

/** How the drained clients wait before reconnecting. */
export type HerdMode = 'no-jitter' | 'full-jitter';
export const HERD_MODES: readonly HerdMode[] = ['no-jitter', 'full-jitter'];

/** The first reconnect delay: 1000 ms for everyone without jitter, or the top of full jitter's window. */
export const HERD_BACKOFF: BackoffOptions = { minReconnectionDelay: 1_000, maxReconnectionDelay: 8_000, reconnectionDelayGrowFactor: 2, jitterRatio: 0 };

/** Clients in one herd. */
export const HERD_CLIENTS = { name: 'clients', min: 10, max: 200 } as const satisfies BoundedInteger;

/** How long after the 1012 the herd is watched (and then closed): past the longest wait and the reconnects. */
export const HERD_WINDOW_MS = 3_000;

/** The part of a WebSocket the herd uses (`ws` in Node). */
export interface HerdSocket {
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'close', listener: (event: { readonly code: number }) => void): void;
  close(code?: number, reason?: string): void;
}

export interface HerdOptions {
  readonly mode: HerdMode;
  readonly clients: number;
  /** `ws://…/ws/echo` of the instance that drains, and of the one the clients go to. */
  readonly fromUrl: string;
  readonly toUrl: string;
  readonly open: (url: string) => HerdSocket;
  /** Has the `from` instance close every client with 1012; resolves with how many it closed. */
  readonly drain: () => Promise<number>;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Longest wait for the N clients to open. */
  readonly openTimeoutMs?: number;
}

export interface HerdStarted {
  /** When the drain was asked, on the runner's clock (ms since 1970). */
  readonly drainedAtMs: number;
  /** How many clients the instance closed. */
  readonly closed: number;
  /** Resolves once the window is over and every socket of the herd is closed (1000). */
  readonly finished: Promise<{ readonly closes: Readonly<Record<string, number>>; readonly reconnected: number }>;
}

/** The first reconnect delay of a client of `mode`. */
export function herdDelayMs(mode: HerdMode, random: () => number = Math.random): number {
  return mode === 'no-jitter' ? reconnectDelayMs(1, HERD_BACKOFF, random) : fullJitterDelayMs(1, HERD_BACKOFF, random);
}

/**
 * Opens the herd, waits until every client is open, drains the instance and
 * resolves right after the drain; the reconnects go on and `finished`
 * resolves when the window is over. Rejects (closing what it opened) when
 * the clients do not all open in time or the drain fails.
 */
export async function startHerd(options: HerdOptions): Promise<HerdStarted> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sockets: HerdSocket[] = [];
  const closes: Record<string, number> = {};
  let opened = 0;
  let reconnected = 0;
  let draining = false;
  let over = false;
  const closeAll = () => {
    over = true;
    for (const socket of sockets.splice(0)) socket.close(1000, 'herd over');
  };
  const allOpen = new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`only ${String(opened)} of ${String(options.clients)} clients opened within ${String(options.openTimeoutMs ?? 15_000)} ms`)), options.openTimeoutMs ?? 15_000);
    for (let client = 0; client < options.clients; client++) {
      const socket = options.open(options.fromUrl);
      sockets.push(socket);
      socket.addEventListener('open', () => {
        opened += 1;
        if (opened === options.clients) {
          clearTimeout(timer);
          done();
        }
      });
      socket.addEventListener('close', (event) => {
        if (!draining || over) return;
        closes[String(event.code)] = (closes[String(event.code)] ?? 0) + 1;
        // 1012 Service Restart (IANA registry, RFC 6455 §11.7): come back, after this mode's delay.
        if (event.code !== 1012) return;
        setTimeout(() => {
          if (over) return;
          const again = options.open(options.toUrl);
          sockets.push(again);
          again.addEventListener('open', () => {
            reconnected += 1;
          });
        }, herdDelayMs(options.mode, random));
      });
    }
  });
  try {
    await allOpen;
    draining = true;
    const drainedAtMs = now();
    const closed = await options.drain();
    const finished = new Promise<{ closes: Record<string, number>; reconnected: number }>((done) => {
      setTimeout(() => {
        closeAll();
        done({ closes, reconnected });
      }, Math.max(0, drainedAtMs + HERD_WINDOW_MS - now()));
    });
    return { drainedAtMs, closed, finished };
  } catch (error) {
    closeAll();
    throw error;
  }
}
