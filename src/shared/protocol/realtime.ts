import * as v from 'valibot';
import type { EndpointDoc } from './endpoint-doc.ts';
import { errorMessageSchema } from './error-message.ts';
import { integerParameterSchema, integerQueryDoc, type IntegerParameter } from './integer-parameter.ts';

/**
 * `/ws/realtime`: a stream of timestamped samples at a chosen rate, through
 * a network impairment the server applies (added delay, jitter, periodic
 * stalls). Chapter 4 judges the same stream against hard, firm and soft
 * deadlines.
 */

export interface RealtimeSettings {
  readonly ratePerSecond: number;
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly stallEveryMs: number;
  readonly stallForMs: number;
}

/** Every setting, by its message field name; the query parameter is the short name. */
export const REALTIME_PARAMETERS = {
  ratePerSecond: {
    query: 'rate',
    field: 'ratePerSecond',
    min: 1,
    max: 100,
    defaultValue: 20,
    unit: 'messages per second',
    description: 'How many samples the server produces each second',
  },
  delayMs: {
    query: 'delay',
    field: 'delayMs',
    min: 0,
    max: 2_000,
    defaultValue: 0,
    unit: 'milliseconds',
    description: 'Fixed delay added to every sample before it is sent',
  },
  jitterMs: {
    query: 'jitter',
    field: 'jitterMs',
    min: 0,
    max: 1_000,
    defaultValue: 0,
    unit: 'milliseconds',
    description: 'Extra random delay, uniform between 0 and this, per sample',
  },
  stallEveryMs: {
    query: 'stallEvery',
    field: 'stallEveryMs',
    min: 500,
    max: 60_000,
    defaultValue: 0,
    zeroMeansOff: true,
    unit: 'milliseconds',
    description: 'Period of stalls: every this often the server holds everything back',
  },
  stallForMs: {
    query: 'stallFor',
    field: 'stallForMs',
    min: 0,
    max: 10_000,
    defaultValue: 0,
    unit: 'milliseconds',
    description: 'How long each stall lasts; must be less than stallEvery',
  },
} as const satisfies Record<keyof RealtimeSettings, IntegerParameter>;

export const REALTIME_DEFAULTS: RealtimeSettings = {
  ratePerSecond: REALTIME_PARAMETERS.ratePerSecond.defaultValue,
  delayMs: REALTIME_PARAMETERS.delayMs.defaultValue,
  jitterMs: REALTIME_PARAMETERS.jitterMs.defaultValue,
  stallEveryMs: REALTIME_PARAMETERS.stallEveryMs.defaultValue,
  stallForMs: REALTIME_PARAMETERS.stallForMs.defaultValue,
};

/**
 * The rule that spans two settings: a stall must end before the next one
 * starts, or the stream would never flow. Returns the problem, naming the
 * settings as message fields or as query parameters, or `null`.
 */
export function realtimeSettingsProblem(settings: RealtimeSettings, names: 'field' | 'query' = 'field'): string | null {
  if (settings.stallEveryMs !== 0 && settings.stallForMs >= settings.stallEveryMs) {
    const stallFor = REALTIME_PARAMETERS.stallForMs[names];
    const stallEvery = REALTIME_PARAMETERS.stallEveryMs[names];
    return `${stallFor} (${String(settings.stallForMs)}) must be less than ${stallEvery} (${String(settings.stallEveryMs)})`;
  }
  return null;
}

const settingsFields = {
  ratePerSecond: integerParameterSchema(REALTIME_PARAMETERS.ratePerSecond),
  delayMs: integerParameterSchema(REALTIME_PARAMETERS.delayMs),
  jitterMs: integerParameterSchema(REALTIME_PARAMETERS.jitterMs),
  stallEveryMs: integerParameterSchema(REALTIME_PARAMETERS.stallEveryMs),
  stallForMs: integerParameterSchema(REALTIME_PARAMETERS.stallForMs),
};

const clockId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));

export const realtimeClientMessageSchema = v.variant('type', [
  /** Changes some settings; the rest keep their values. */
  v.strictObject({
    type: v.literal('configure'),
    ...v.partial(v.object(settingsFields)).entries,
  }),
  /** A clock probe: the server answers at once, outside the impairment, with its own time. */
  v.strictObject({ type: v.literal('clock'), id: clockId, clientTime: v.number() }),
]);
export type RealtimeClientMessage = v.InferOutput<typeof realtimeClientMessageSchema>;
export const REALTIME_CLIENT_TYPES = ['configure', 'clock'] as const;

export const realtimeServerMessageSchema = v.variant('type', [
  /**
   * The settings in force: sent on open and after every `configure`.
   * `fromSeq` is the first sample made under them: samples already made
   * under the old settings may still arrive after this message.
   */
  v.object({ type: v.literal('settings'), ...settingsFields, fromSeq: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
  /**
   * One sample. `producedAt` is when the server made it, on schedule;
   * `sentAt` is when it left after the impairment. Both are the server's
   * clock in epoch milliseconds.
   */
  v.object({ type: v.literal('sample'), seq: v.number(), producedAt: v.number(), sentAt: v.number() }),
  /** The answer to a clock probe: the client's time echoed, and the server's time when it answered. */
  v.object({ type: v.literal('clock'), id: clockId, clientTime: v.number(), serverTime: v.number() }),
  errorMessageSchema,
]);
export type RealtimeServerMessage = v.InferOutput<typeof realtimeServerMessageSchema>;

export const realtimeEndpoint: EndpointDoc = {
  path: '/ws/realtime',
  chapter: 'real-time',
  summary:
    'Streams timestamped samples at a chosen rate through a network impairment the server applies: added delay, jitter and periodic stalls. Samples stay in order, as TCP keeps them.',
  query: Object.values(REALTIME_PARAMETERS).map(integerQueryDoc),
  messages: [
    {
      type: 'configure',
      direction: 'client-to-server',
      description: 'Changes some settings (same ranges as the query parameters); the server answers with `settings`.',
      example: { type: 'configure', delayMs: 80, jitterMs: 40 },
    },
    {
      type: 'clock',
      direction: 'client-to-server',
      description: 'A clock probe with the client\'s time; answered at once, outside the impairment.',
      example: { type: 'clock', id: 1, clientTime: 1_767_225_600_000.25 },
    },
    {
      type: 'settings',
      direction: 'server-to-client',
      description: 'The settings in force, on open and after every `configure`. `fromSeq` is the first sample made under them: samples made before may still arrive after this message.',
      example: { type: 'settings', ratePerSecond: 50, delayMs: 80, jitterMs: 40, stallEveryMs: 0, stallForMs: 0, fromSeq: 412 },
    },
    {
      type: 'sample',
      direction: 'server-to-client',
      description:
        'One sample: `seq` counts from 1; `producedAt` is when it was made on schedule, `sentAt` when it left after the impairment (server clock, epoch ms).',
      example: { type: 'sample', seq: 42, producedAt: 1_767_225_600_840, sentAt: 1_767_225_600_921.4 },
    },
    {
      type: 'clock',
      direction: 'server-to-client',
      description: 'The answer to a clock probe: `clientTime` echoed and the server\'s `serverTime`, to estimate the clock offset.',
      example: { type: 'clock', id: 1, clientTime: 1_767_225_600_000.25, serverTime: 1_767_225_600_000.61 },
    },
    {
      type: 'error',
      direction: 'server-to-client',
      description: 'An invalid message or setting, named with its allowed range; the connection stays up.',
      example: {
        type: 'error',
        error: 'INVALID_MESSAGE',
        message: 'message does not match the protocol: delayMs: must be an integer from 0 to 2000 (milliseconds), got 5000',
      },
    },
  ],
  limits: [
    'Query parameters outside their ranges are refused with HTTP 400 naming the parameter and its range.',
    'At most 20 control messages a second (burst 40); more close the connection with 1008.',
    'Repeated invalid messages close the connection with 1008.',
  ],
  closeCodes: [
    { code: 1001, when: 'the server is shutting down' },
    { code: 1008, when: 'too many messages, too many invalid messages, or the client stopped reading' },
    { code: 1009, when: 'a message was over the size limit' },
  ],
  clientSchema: realtimeClientMessageSchema,
  serverSchema: realtimeServerMessageSchema,
};
