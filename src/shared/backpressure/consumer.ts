/**
 * The bookkeeping every `/ws/backpressure` consumer shares, whatever it runs
 * on (a Web Worker, the page, WebSocketStream, the terminal client): what was
 * received, what was processed, how old each message was when processed, and,
 * in credit and conflate modes, when to grant credit back. No DOM, no socket:
 * it is given the text of each message and a function to send with.
 */
import type { BackpressureData, BackpressureFinished, BackpressureHello, BackpressureMode } from '../protocol/backpressure.ts';
import { requireBoundedInteger } from '../bounded-integer.ts';
import { RUN_BOUNDS } from './run-config.ts';

export interface ConsumerLedgerOptions {
  readonly mode: BackpressureMode;
  /** credit/conflate: messages the consumer lets the server send ahead of processing. */
  readonly creditWindow: number;
}

export const CONSUMER_LEDGER_DEFAULTS: ConsumerLedgerOptions = { mode: 'naive', creditWindow: 16 };

export interface ConsumerProgress {
  readonly received: number;
  readonly receivedBytes: number;
  readonly processed: number;
  /** Received and not processed yet: the page's own backlog. */
  readonly backlogMessages: number;
  readonly backlogBytes: number;
  /** conflate: values the server said it superseded, summed over processed messages. */
  readonly droppedReported: number;
  /** How long the last processed message had existed when processing finished. */
  readonly lastAgeMs: number | null;
  readonly maxAgeMs: number;
  readonly creditsGranted: number;
  /** The server's totals once it has stopped producing (after `finish()`). */
  readonly finished: BackpressureFinished | null;
}

export type ReceivedKind = 'hello' | 'data' | 'finished' | 'error' | 'other';

const DATA_PREFIX = '{"type":"data"';

/** Credit goes back in batches of a quarter window, so a window of 16 costs one message per 4 processed. */
function grantBatch(window: number): number {
  return Math.max(1, Math.floor(window / 4));
}

/**
 * Counts and credit for one consumer. Call `receive()` for every message as
 * it arrives and `processed()` when the application is done with a data
 * message; `progress()` reports the totals.
 */
export class ConsumerLedger {
  readonly #options: ConsumerLedgerOptions;
  readonly #send: (text: string) => void;
  readonly #now: () => number;
  #hello: BackpressureHello | null = null;
  /** Server clock minus this clock, from the hello, so ages survive clock skew. */
  #clockOffsetMs = 0;
  #received = 0;
  #receivedBytes = 0;
  #processed = 0;
  #processedBytes = 0;
  #droppedReported = 0;
  #lastAgeMs: number | null = null;
  #maxAgeMs = 0;
  #creditsGranted = 0;
  #creditsOwed = 0;
  #finishing = false;
  #finished: BackpressureFinished | null = null;
  #lastError: string | null = null;

  constructor(options: Partial<ConsumerLedgerOptions>, send: (text: string) => void, now: () => number = () => Date.now()) {
    this.#options = { ...CONSUMER_LEDGER_DEFAULTS, ...options };
    requireBoundedInteger(RUN_BOUNDS.creditWindow, this.#options.creditWindow);
    this.#send = send;
    this.#now = now;
  }

  get hello(): BackpressureHello | null {
    return this.#hello;
  }

  /** The last error message the server sent, if any. */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Whether every message the server sent before finishing has been processed. */
  get drained(): boolean {
    return this.#finished !== null && this.#processed >= this.#finished.sent;
  }

  /**
   * Records a message as received and says what it was. Data messages are
   * only counted here (their JSON is read when processed); the hello starts
   * the credit window.
   */
  receive(text: string): ReceivedKind {
    if (text.startsWith(DATA_PREFIX)) {
      this.#received += 1;
      this.#receivedBytes += text.length;
      return 'data';
    }
    let message: { type?: unknown };
    try {
      message = JSON.parse(text) as { type?: unknown };
    } catch {
      return 'other';
    }
    switch (message.type) {
      case 'hello': {
        const hello = message as BackpressureHello;
        this.#hello = hello;
        this.#clockOffsetMs = hello.serverTime - this.#now();
        if (this.#options.mode !== 'naive') this.#grant(this.#options.creditWindow);
        return 'hello';
      }
      case 'finished':
        this.#finished = message as BackpressureFinished;
        return 'finished';
      case 'error':
        this.#lastError = String((message as { message?: unknown }).message);
        return 'error';
      default:
        return 'other';
    }
  }

  /** Marks a received data message as processed; grants credit back in credit and conflate modes. */
  processed(text: string): BackpressureData {
    const data = JSON.parse(text) as BackpressureData;
    this.#processed += 1;
    this.#processedBytes += text.length;
    this.#droppedReported += data.dropped;
    const ageMs = Math.max(0, this.#now() + this.#clockOffsetMs - data.producedAt);
    this.#lastAgeMs = ageMs;
    this.#maxAgeMs = Math.max(this.#maxAgeMs, ageMs);
    if (this.#options.mode !== 'naive' && !this.#finishing) {
      this.#creditsOwed += 1;
      if (this.#creditsOwed >= grantBatch(this.#options.creditWindow)) this.#grant(this.#creditsOwed);
    }
    return data;
  }

  /** Asks the server to stop producing; credit stops too. The server answers with `finished`. */
  finish(): void {
    if (this.#finishing) return;
    this.#finishing = true;
    this.#send(JSON.stringify({ type: 'finish' }));
  }

  progress(): ConsumerProgress {
    return {
      received: this.#received,
      receivedBytes: this.#receivedBytes,
      processed: this.#processed,
      backlogMessages: this.#received - this.#processed,
      backlogBytes: this.#receivedBytes - this.#processedBytes,
      droppedReported: this.#droppedReported,
      lastAgeMs: this.#lastAgeMs,
      maxAgeMs: this.#maxAgeMs,
      creditsGranted: this.#creditsGranted,
      finished: this.#finished,
    };
  }

  #grant(credits: number): void {
    this.#creditsOwed = 0;
    this.#creditsGranted += credits;
    this.#send(JSON.stringify({ type: 'credit', credits }));
  }
}

/** How long a credit or conflate run may take to drain after finish before it is closed anyway. */
export const DRAIN_TIMEOUT_MS = 10_000;
/** Close reason when the reader (or the terminal's Ctrl+C) stops a run. */
export const STOPPED_REASON = 'stopped by the reader';

/**
 * What every consumer does when the reader stops: naive closes now (what is
 * queued is lost); credit and conflate ask the server to finish and close
 * once everything it sent has been processed, or after DRAIN_TIMEOUT_MS.
 */
export function stopPolicy(mode: BackpressureMode, ledger: ConsumerLedger, close: (code: number, reason: string) => void): void {
  if (mode === 'naive') {
    close(1000, STOPPED_REASON);
    return;
  }
  ledger.finish();
  setTimeout(() => close(1000, STOPPED_REASON), DRAIN_TIMEOUT_MS);
}

/** Spins for `ms`: the blocking consumer's stand-in for CPU-heavy work per message. */
export function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Deliberately blocking: the thread cannot read its socket meanwhile.
  }
}
