import { AddressBuckets } from '../core/address-buckets.ts';
import type { HandshakeRefusal } from '../core/route.ts';

/** What `AddressLimits` enforces for each client address. */
export interface AddressLimitOptions {
  /** WebSocket connections open at once from one address. */
  readonly maxConnectionsPerAddress: number;
  /** Handshakes per second from one address, with bursts of `handshakeBurstPerAddress`. */
  readonly handshakesPerSecondPerAddress: number;
  readonly handshakeBurstPerAddress: number;
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
  readonly #handshakes: AddressBuckets;
  /** Open connections per address; an address with none has no entry. */
  readonly #connections = new Map<string, number>();

  constructor(options: AddressLimitOptions, now: () => number = () => performance.now()) {
    this.#options = options;
    this.#handshakes = new AddressBuckets(options.handshakesPerSecondPerAddress, options.handshakeBurstPerAddress, now);
  }

  /**
   * Counts a handshake from `address`; returns the refusal to send when it
   * is over a limit: 429 with `Retry-After` for the rate (RFC 6585 §4), 503
   * when the address already holds its share of connections.
   */
  admit(address: string): HandshakeRefusal | null {
    const { maxConnectionsPerAddress, handshakesPerSecondPerAddress, handshakeBurstPerAddress } = this.#options;
    if (!this.#handshakes.take(address)) {
      const retryAfterSeconds = Math.max(1, Math.ceil(this.#handshakes.msUntilNextToken(address) / 1000));
      return {
        status: 429,
        message: `too many handshakes from ${address}: at most ${String(handshakesPerSecondPerAddress)} a second (bursts of ${String(handshakeBurstPerAddress)}); a class behind one address can raise it with --handshakes-per-second-per-address`,
        headers: { 'Retry-After': String(retryAfterSeconds) },
      };
    }
    if ((this.#connections.get(address) ?? 0) >= maxConnectionsPerAddress) {
      return {
        status: 503,
        message: `${address} already has ${String(maxConnectionsPerAddress)} WebSocket connections open; a class behind one address can raise it with --max-connections-per-address`,
        headers: { 'Retry-After': '5' },
      };
    }
    return null;
  }

  opened(address: string): void {
    this.#connections.set(address, (this.#connections.get(address) ?? 0) + 1);
  }

  closed(address: string): void {
    const open = (this.#connections.get(address) ?? 0) - 1;
    if (open > 0) this.#connections.set(address, open);
    else this.#connections.delete(address);
  }
}
