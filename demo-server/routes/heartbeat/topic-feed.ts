import type { HeartbeatTopicName } from '../../../src/shared/protocol/heartbeat.ts';

export interface TopicState {
  readonly topic: HeartbeatTopicName;
  /** Updates since the feed started, from 1. */
  readonly seq: number;
  readonly value: number;
  /** Epoch milliseconds of this update. */
  readonly at: number;
}

export type TopicListener = (state: TopicState) => void;

/** Centre, swing and noise of each topic's values. */
const SHAPES: Record<HeartbeatTopicName, { centre: number; swing: number; noise: number; periodUpdates: number }> = {
  temperature: { centre: 21, swing: 3, noise: 0.3, periodUpdates: 120 },
  humidity: { centre: 50, swing: 15, noise: 1.5, periodUpdates: 90 },
  wind: { centre: 14, swing: 8, noise: 3, periodUpdates: 45 },
};

/** A repeatable pseudo-random number in [-1, 1) for (topic, seq). */
function noise(topic: string, seq: number): number {
  let hash = 2166136261;
  for (const character of `${topic}:${String(seq)}`) {
    hash ^= character.charCodeAt(0);
    hash = Math.imul(hash, 16777619);
  }
  return ((hash >>> 0) / 2 ** 31) - 1;
}

/** The value of `topic` at update `seq`: a slow wave with noise, a function of `seq` alone. */
export function topicValue(topic: HeartbeatTopicName, seq: number): number {
  const shape = SHAPES[topic];
  const value = shape.centre + shape.swing * Math.sin((2 * Math.PI * seq) / shape.periodUpdates) + shape.noise * noise(topic, seq);
  return Math.round(Math.max(0, value) * 10) / 10;
}

/**
 * Topics whose state is a function of time: update `seq` happens every
 * `periodMs` whether or not anyone listens, so a client that comes back
 * after a disconnection sees how many it missed. One timer pushes updates
 * while there are listeners; `dispose()` clears it.
 */
export class TopicFeed {
  readonly #periodMs: number;
  readonly #startedAt = performance.now();
  readonly #listeners = new Map<HeartbeatTopicName, Set<TopicListener>>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #publishedSeq = 0;

  constructor(periodMs = 1_000) {
    this.#periodMs = periodMs;
  }

  /** The current state of `topic`. */
  current(topic: HeartbeatTopicName): TopicState {
    return this.#state(topic, Math.max(this.#seqAt(performance.now()), this.#publishedSeq));
  }

  /** Calls `listener` with each new update of `topic`; returns the unsubscribe function. */
  subscribe(topic: HeartbeatTopicName, listener: TopicListener): () => void {
    let listeners = this.#listeners.get(topic);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(topic, listeners);
    }
    listeners.add(listener);
    this.#arm();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(topic);
      if (this.#listeners.size === 0) this.#disarm();
    };
  }

  dispose(): void {
    this.#listeners.clear();
    this.#disarm();
  }

  #seqAt(now: number): number {
    return Math.floor((now - this.#startedAt) / this.#periodMs) + 1;
  }

  #state(topic: HeartbeatTopicName, seq: number): TopicState {
    const at = Math.round(performance.timeOrigin + this.#startedAt + (seq - 1) * this.#periodMs);
    return { topic, seq, value: topicValue(topic, seq), at };
  }

  /** Sleeps until the next update is due. */
  #arm(): void {
    if (this.#timer !== null) return;
    const now = performance.now();
    const nextSeq = Math.max(this.#seqAt(now), this.#publishedSeq) + 1;
    const nextAt = this.#startedAt + (nextSeq - 1) * this.#periodMs;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      // Node's timers count whole milliseconds and may fire a fraction early: publish the update the timer was for.
      this.#publish(Math.max(nextSeq, this.#seqAt(performance.now())));
    }, Math.max(0, nextAt - now));
  }

  #disarm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #publish(seq: number): void {
    this.#publishedSeq = seq;
    for (const [topic, listeners] of this.#listeners) {
      const state = this.#state(topic, seq);
      for (const listener of [...listeners]) listener(state);
    }
    if (this.#listeners.size > 0) this.#arm();
  }
}
