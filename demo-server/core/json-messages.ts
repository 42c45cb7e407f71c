import type * as v from 'valibot';
import { parseClientMessage } from '../../src/shared/protocol/parse.ts';
import { socketError, type ErrorMessage } from '../../src/shared/protocol/errors.ts';
import type { Connection } from './connection.ts';
import { TokenBucket } from '../../src/shared/token-bucket.ts';

export interface JsonMessageLimits {
  /** Messages a client may send each second, on average. */
  readonly messagesPerSecond: number;
  /** Messages it may send at once. */
  readonly messageBurst: number;
  /** Invalid messages forgiven each second, on average. */
  readonly invalidPerSecond: number;
  /** Invalid messages forgiven in a row before the client is cut off. */
  readonly invalidBurst: number;
}

export const JSON_MESSAGE_DEFAULTS: JsonMessageLimits = {
  messagesPerSecond: 20,
  messageBurst: 40,
  invalidPerSecond: 1,
  invalidBurst: 10,
};

/**
 * Delivers a connection's text messages to `handle` as validated protocol
 * messages. Invalid ones (binary, not JSON, unknown type, a field out of
 * range) get an error message naming the problem and the connection stays
 * up, until they come faster than `invalidPerSecond` allows (1008
 * TOO_MANY_ERRORS). Any message over `messagesPerSecond` closes with 1008
 * RATE_LIMITED.
 */
export function onJsonMessages<TSchema extends v.GenericSchema>(
  connection: Connection,
  schema: TSchema,
  knownTypes: readonly string[],
  handle: (message: v.InferOutput<TSchema>) => void,
  limits: Partial<JsonMessageLimits> = {},
): void {
  const { messagesPerSecond, messageBurst, invalidPerSecond, invalidBurst } = { ...JSON_MESSAGE_DEFAULTS, ...limits };
  const rate = new TokenBucket(messagesPerSecond, messageBurst);
  const invalid = new TokenBucket(invalidPerSecond, invalidBurst);
  const reject = (error: ErrorMessage) => {
    if (invalid.take()) connection.sendJson(error);
    else connection.fail('TOO_MANY_ERRORS', `the last one: ${error.message}`);
  };
  connection.onMessage((data: Buffer, isBinary: boolean) => {
    if (connection.state !== 'open') return;
    if (!rate.take()) {
      connection.fail('RATE_LIMITED', `more than ${String(messagesPerSecond)} a second`);
      return;
    }
    if (isBinary) {
      reject(socketError('BINARY_NOT_ACCEPTED'));
      return;
    }
    const parsed = parseClientMessage(schema, knownTypes, data.toString());
    if (parsed.ok) handle(parsed.value);
    else reject(parsed.error);
  });
}
