import { BrokerUnavailableError, type ChatBroker, type Membership } from './broker.ts';
import { MemoryChatBroker } from './memory-broker.ts';
import { RedisChatBroker } from './redis-broker.ts';
import { nameProblem, normalizeName } from './names.ts';
import { clientAddress } from '../../core/address-buckets.ts';
import { resolveChatOptions } from './options.ts';
import type { Connection } from '../../core/connection.ts';
import type { BrokerOperation } from '../../core/metrics.ts';
import { onJsonMessages, type MessageLimits, type Reject } from '../../core/json-messages.ts';
import { integerParam } from '../../core/query.ts';
import {
  CHAT_CLIENT_TYPES,
  CHAT_RESTART_AFTER,
  ChatClientMessage,
  characterCount,
  EPOCH_PATTERN,
  hasVisibleCharacter,
  roomNameProblem,
  spoofedField,
  type ChatOptions,
  type ChatLimits,
  type RoomEvent,
  type TypingEvent,
  type WelcomeMessage,
  chatEndpoint,
} from '../../../src/shared/protocol/chat.ts';
import { socketError, type ErrorMessage } from '../../../src/shared/protocol/errors.ts';
import { accept, refuse, type Checked, type Handshake, type Route, type RouteContext, type RouteFactory } from '../../core/route.ts';

/** What `?since=`, `?epoch=` and `?name=` asked for, validated by `check()`. */
interface JoinQuery {
  readonly room: string;
  readonly since: number | null;
  readonly epoch: string | null;
  readonly name: string | null;
  /** `?restartAfterMs=`: close with 1012 after this long, as a restarting instance would; `null` for never. */
  readonly restartAfterMs: number | null;
  /** The client's IP address, for the per-address limits. */
  readonly address: string;
}

/** Reads the room and query of a handshake; what is wrong is sent as HTTP 400. */
function readJoinQuery(handshake: Handshake): Checked<JoinQuery> {
  const room = handshake.params.room ?? '';
  const roomProblem = roomNameProblem(room);
  if (roomProblem !== null) return refuse(roomProblem);
  const query = handshake.url.searchParams;
  const sinceText = query.get('since');
  let since: number | null = null;
  if (sinceText !== null) {
    since = /^\d{1,15}$/.test(sinceText) ? Number(sinceText) : NaN;
    if (Number.isNaN(since)) {
      return refuse(`since must be a whole number of 0 or more (the id of the last event you saw), got ${JSON.stringify(sinceText.slice(0, 40))}`);
    }
  }
  const epoch = query.get('epoch');
  if (epoch !== null && !EPOCH_PATTERN.test(epoch)) {
    return refuse(`epoch must be the room epoch from the welcome message (1 to 32 of a-z 0-9), got ${JSON.stringify(epoch.slice(0, 40))}`);
  }
  if (epoch !== null && since === null) return refuse('epoch only makes sense with since: add ?since=<the last id you saw>');
  const name = query.get('name');
  const problem = name === null ? null : nameProblem(normalizeName(name));
  if (problem !== null) return refuse(`name ${problem}`);
  const restartAfterMs = integerParam(handshake.url, CHAT_RESTART_AFTER, null);
  if (!restartAfterMs.ok) return restartAfterMs;
  return accept({ room, since, epoch, name, restartAfterMs: restartAfterMs.value, address: clientAddress(handshake.request) });
}

/**
 * Builds the `/ws/chat/:room` route around a broker. The route owns one
 * connection at a time: it validates input, enforces rates, and turns
 * broker events into messages; the broker owns the rooms.
 */
export function createChatRoute(
  options: Partial<ChatOptions> = {},
  makeBroker: (options: ChatOptions) => ChatBroker = (resolved) => new MemoryChatBroker(resolved),
  brokerName = 'memory',
): (context: RouteContext) => Route<JoinQuery> {
  return (context) => {
    const config = resolveChatOptions(options);
    const broker = makeBroker(config);
    /** Times a broker call for /metrics (`socketbook_chat_broker_seconds`). */
    const timed = <T>(operation: BrokerOperation, call: Promise<T>): Promise<T> => {
      const stop = context.metrics?.timeBroker(brokerName, operation);
      return stop === undefined ? call : call.finally(stop);
    };
    /**
     * The last event's wire text as UTF-8. A broker hands every member the
     * same string; encoding it once turns a fan-out to N members into N
     * writes of one buffer instead of N encodings of one string.
     */
    let lastWire = '';
    let lastWireBytes = Buffer.alloc(0);
    const encodeOnce = (wire: string): Buffer => {
      if (wire !== lastWire) {
        lastWire = wire;
        lastWireBytes = Buffer.from(wire);
      }
      return lastWireBytes;
    };
    const limits: ChatLimits = {
      maxTextChars: config.maxTextChars,
      messagesPerSecond: config.messagesPerSecond,
      burstMessages: config.burstMessages,
      historyLength: config.historyLength,
      typingTimeoutMs: config.typingTimeoutMs,
    };

    /** A fast typist is warned first; a flood is closed. */
    const messageLimits: MessageLimits = {
      messagesPerSecond: config.messagesPerSecond,
      messageBurst: config.burstMessages,
      rateWarningDetail: `at most ${String(config.messagesPerSecond)} messages a second (bursts of ${String(config.burstMessages)}); ${String(config.droppedMessagesBeforeClose)} more dropped in a row close the connection`,
      droppedBeforeClose: config.droppedMessagesBeforeClose,
      rateLimitedDetail: `over ${String(config.messagesPerSecond)} messages a second after a warning`,
      invalidPerSecond: config.invalidMessagesPerSecond,
      invalidBurst: config.invalidMessagesBurst,
      tooManyErrorsDetail: (lastError) => `more than ${String(config.invalidMessagesBurst)} invalid messages; the last: ${lastError.message}`,
      binaryDetail: 'send JSON as text',
    };

    function open(connection: Connection, query: JoinQuery): void {
      // A busy room hands each member several small events per turn: one write for them all.
      connection.coalesceSends = true;
      let membership: Membership | null = null;
      /** Broker events that arrive before the welcome is sent, sent right after it. */
      const early: [RoomEvent | TypingEvent, string][] = [];
      let lastSentId = 0;
      let welcomed = false;

      /** Sends a room event once: a broker may deliver an id twice, a client never sees it twice. */
      const sendEvent = (event: RoomEvent | TypingEvent, wire: string): void => {
        if (event.type !== 'typing') {
          if (event.id <= lastSentId) return;
          lastSentId = event.id;
        }
        connection.send(encodeOnce(wire), false);
      };
      const sink = {
        deliver(event: RoomEvent | TypingEvent, wire: string) {
          if (welcomed) sendEvent(event, wire);
          else early.push([event, wire]);
        },
        lost(detail: string) {
          membership = null;
          connection.fail('BROKER_UNAVAILABLE', detail);
        },
      };
      /** A broker's failure as the close it causes: its store is down (1013, retry) or a bug (1011). */
      const failWith = (error: unknown): void => {
        connection.lastError = error instanceof Error ? error.message : String(error);
        if (error instanceof BrokerUnavailableError) connection.fail('BROKER_UNAVAILABLE', error.message);
        else connection.fail('INTERNAL');
      };

      /** Messages are handled in arrival order, after the join completes. */
      let queue: Promise<unknown> = timed(
        'join',
        broker.join({ room: query.room, address: query.address, preferredName: query.name, resume: query.since === null ? null : { since: query.since, epoch: query.epoch } }, sink),
      )
        .then((result) => {
          if (!result.ok) {
            connection.fail(result.error, result.detail);
            return;
          }
          if (!connection.isOpen) {
            void result.membership.leave();
            return;
          }
          membership = result.membership;
          const welcome: WelcomeMessage = { type: 'welcome', ...result.welcome, members: [...result.welcome.members], typing: [...result.welcome.typing], history: [...result.welcome.history], limits };
          connection.sendJson(welcome);
          lastSentId = welcome.lastId;
          welcomed = true;
          for (const [event, wire] of early.splice(0)) sendEvent(event, wire);
        })
        .catch(failWith);

      const handle = async (message: ChatClientMessage, refuse: Reject): Promise<void> => {
        const member = membership;
        // A message accepted while the connection was open is handled even if
        // the connection has closed since (ws reads a say and the close frame
        // that follows it in one go); only the replies to its sender are lost.
        if (member === null) return;
        switch (message.type) {
          case 'say': {
            if (!hasVisibleCharacter(message.text)) {
              refuse(socketError('EMPTY_TEXT', 'send at least one visible character'));
              return;
            }
            const length = characterCount(message.text);
            if (length > config.maxTextChars) {
              refuse(socketError('TEXT_TOO_LONG', `${String(length)} characters, the limit is ${String(config.maxTextChars)}`));
              return;
            }
            const result = await timed('say', member.say(message.text, message.clientId ?? null));
            if (message.clientId !== undefined) {
              connection.sendJson({ type: 'ack', clientId: message.clientId, id: result.id, recipients: result.recipients, duplicate: result.duplicate });
            }
            return;
          }
          case 'typing':
            await member.setTyping(message.typing);
            return;
          case 'nick': {
            const result = await member.rename(message.name);
            if (!result.ok) connection.sendJson(socketError(result.error, result.detail));
            return;
          }
          case 'rooms':
            connection.sendJson({ type: 'rooms', rooms: await broker.rooms() });
            return;
          case 'ping':
            connection.sendJson({ type: 'pong', token: message.token ?? null, serverTime: Date.now() });
            return;
        }
      };

      onJsonMessages(connection, { schema: ChatClientMessage, knownTypes: CHAT_CLIENT_TYPES, explain: explainRefusal }, messageLimits, (message, refuse) => {
        queue = queue.then(() => handle(message, refuse)).catch(failWith);
      });

      const restart =
        query.restartAfterMs === null
          ? null
          : setTimeout(() => {
              connection.fail('SERVICE_RESTART', `restartAfterMs=${String(query.restartAfterMs)}`);
            }, query.restartAfterMs);
      connection.socket.on('close', () => {
        if (restart !== null) clearTimeout(restart);
        // After the join settles, so a client that leaves mid-join still leaves.
        void queue.finally(() => membership?.leave()).catch(() => {
          // A broker that cannot record the leave has lost the seat already (its store expires it).
        });
      });
    }

    return {
      check: readJoinQuery,
      open(connection, _handshake, query) {
        open(connection, query);
      },
      dispose() {
        broker.dispose();
      },
    };
  };
}

/**
 * A say with `from` (or `id`, `at`, …) fails the strict schema as an
 * "invalid key"; say plainly that the server sets those fields.
 */
function explainRefusal(error: ErrorMessage, raw: string): ErrorMessage {
  if (error.error !== 'INVALID_MESSAGE') return error;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return error;
  }
  const field = spoofedField(json);
  if (field === null) return error;
  return socketError('SPOOFED_FIELD', `"${field}": the server sets the sender, id and time of every message; remove it`);
}

/**
 * `/ws/chat/:room` with the limits of the server's `chat` option (the
 * defaults unless overridden), its rooms in memory, or in Redis with `chatRedis` (`--redis`).
 */
export const chatRoute: RouteFactory<JoinQuery> = {
  doc: chatEndpoint,
  create: (context) => {
    const { chat, chatRedis, log } = context.options;
    const makeBroker = chatRedis === null ? undefined : (resolved: ChatOptions) => new RedisChatBroker({ ...resolved, ...chatRedis, log });
    return createChatRoute(chat, makeBroker, chatRedis === null ? 'memory' : 'redis')(context);
  },
};
