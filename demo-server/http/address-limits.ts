import type { HandshakeRefusal } from '../core/route.ts';

/** What `AddressLimits` enforces for each client address. */
export interface AddressLimitOptions {
  /** WebSocket connections open at once from one address. */
  readonly maxConnectionsPerAddress: number;
  /** Handshakes per second from one address, with bursts of `handshakeBurstPerAddress`. */
  readonly handshakesPerSecondPerAddress: number;
  readonly handshakeBurstPerAddress: number;
}

interface AddressState {
  connections: number;
  /** Handshake tokens left, refilled at handshakesPerSecondPerAddress. */
  tokens: number;
  updatedAt: number;
}

/** `::ffff:10.0.0.5` → `10.0.0.5`, so one machine is one address whatever the socket family. */
export function addressOf(remoteAddress: string | undefined): string {
  return (remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

/**
 * Per-address limits on WebSocket handshakes and connections, so one client
 * cannot take every connection or flood the server with handshakes. A class
 * behind one NAT shares one address: the defaults leave room for 30
 * students with several labs open each, and `--max-connections-per-address`
 * / `--handshakes-per-second-per-address` raise them.
 */
export class AddressLimits {
  readonly #options: AddressLimitOptions;
  readonly #now: () => number;
  readonly #addresses = new Map<string, AddressState>();

  constructor(options: AddressLimitOptions, now: () => number = () => performance.now()) {
    this.#options = options;
    this.#now = now;
  }

  #state(address: string): AddressState {
    let state = this.#addresses.get(address);
    if (state === undefined) {
      state = { connections: 0, tokens: this.#options.handshakeBurstPerAddress, updatedAt: this.#now() };
      this.#addresses.set(address, state);
    }
    return state;
  }

  /**
   * Counts a handshake from `address`; returns the refusal to send when it
   * is over a limit: 429 with `Retry-After` for the rate (RFC 6585 §4), 503
   * when the address already holds its share of connections.
   */
  admit(address: string): HandshakeRefusal | null {
    const { maxConnectionsPerAddress, handshakesPerSecondPerAddress, handshakeBurstPerAddress } = this.#options;
    const state = this.#state(address);
    const now = this.#now();
    state.tokens = Math.min(handshakeBurstPerAddress, state.tokens + ((now - state.updatedAt) / 1000) * handshakesPerSecondPerAddress);
    state.updatedAt = now;
    if (state.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - state.tokens) / handshakesPerSecondPerAddress));
      return {
        status: 429,
        message: `too many handshakes from ${address}: at most ${String(handshakesPerSecondPerAddress)} a second (bursts of ${String(handshakeBurstPerAddress)}); a class behind one address can raise it with --handshakes-per-second-per-address`,
        headers: { 'Retry-After': String(retryAfterSeconds) },
      };
    }
    state.tokens -= 1;
    if (state.connections >= maxConnectionsPerAddress) {
      return {
        status: 503,
        message: `${address} already has ${String(maxConnectionsPerAddress)} WebSocket connections open; a class behind one address can raise it with --max-connections-per-address`,
        headers: { 'Retry-After': '5' },
      };
    }
    return null;
  }

  opened(address: string): void {
    this.#state(address).connections += 1;
  }

  closed(address: string): void {
    const state = this.#addresses.get(address);
    if (state !== undefined) state.connections = Math.max(0, state.connections - 1);
  }

  /** Forgets addresses with no connection whose handshake budget has refilled (the server calls it once more than 1,000 addresses are tracked). */
  prune(): void {
    const now = this.#now();
    const { handshakesPerSecondPerAddress, handshakeBurstPerAddress } = this.#options;
    for (const [address, state] of this.#addresses) {
      const tokens = state.tokens + ((now - state.updatedAt) / 1000) * handshakesPerSecondPerAddress;
      if (state.connections === 0 && tokens >= handshakeBurstPerAddress) this.#addresses.delete(address);
    }
  }

  /** Addresses tracked, for the tests. */
  get size(): number {
    return this.#addresses.size;
  }
}
