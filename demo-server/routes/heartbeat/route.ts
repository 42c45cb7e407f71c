import type { IncomingMessage } from 'node:http';
import {
  CLIENT_ID_PATTERN,
  HEARTBEAT_CLIENT_TYPES,
  HEARTBEAT_PARAMETERS,
  HEARTBEAT_TIMEOUT_CLOSE_CODE,
  HEARTBEAT_TOPIC_NAMES,
  HEARTBEAT_TOPICS,
  heartbeatClientMessageSchema,
  heartbeatEndpoint,
  type HeartbeatTopicName,
} from '../../../src/shared/protocol/heartbeat.ts';
import { readIntegerQuery } from '../../../src/shared/protocol/integer-parameter.ts';
import { HeartbeatPeer, type HeartbeatSettings } from './heartbeat-peer.ts';
import { JSON_MESSAGE_DEFAULTS, onJsonMessages } from '../../core/json-messages.ts';
import { TopicFeed } from './topic-feed.ts';
import { accept, refuse, type Checked, type Route, type RouteFactory } from '../../core/route.ts';
import { clientAddress } from '../../core/address-buckets.ts';

interface HeartbeatQuery extends HeartbeatSettings {
  /** `?client=`, or `null` when the client did not name itself. */
  readonly clientId: string | null;
}

/** Reads `interval`, `timeout` and `client`; the first problem is the refusal message. */
export function readHeartbeatQuery(url: URL): Checked<HeartbeatQuery> {
  const interval = readIntegerQuery(HEARTBEAT_PARAMETERS.intervalMs, url.searchParams);
  if (!interval.ok) return refuse(interval.message);
  const timeout = readIntegerQuery(HEARTBEAT_PARAMETERS.timeoutMs, url.searchParams);
  if (!timeout.ok) return refuse(timeout.message);
  const clientId = url.searchParams.get('client');
  if (clientId !== null && !CLIENT_ID_PATTERN.test(clientId)) {
    return refuse(`query parameter client must be 1–64 letters, digits, _ or -, got ${JSON.stringify(clientId.slice(0, 80))}`);
  }
  return accept({ intervalMs: interval.value, timeoutMs: timeout.value, clientId });
}

function isTopic(name: string): name is HeartbeatTopicName {
  return (HEARTBEAT_TOPIC_NAMES as readonly string[]).includes(name);
}

function unknownTopic(name: string): string {
  return `${JSON.stringify(name)}; expected one of ${HEARTBEAT_TOPIC_NAMES.join(', ')}`;
}

/**
 * A freeze holds for the `?client=` id from the address that asked for it:
 * the lab shows the id on screen, and another student naming it must not
 * freeze someone else's reconnections (issue 16).
 */
function freezeKey(request: IncomingMessage, clientId: string): string {
  return `${clientAddress(request)} ${clientId}`;
}

/**
 * Clients (by address and `?client=`) whose server side is frozen, and until when. A
 * frozen client's new handshakes are refused, so its reconnection attempts
 * fail until the freeze ends, as they would against a stopped server.
 */
class FrozenClients {
  readonly #until = new Map<string, { readonly thawAt: number; readonly timer: ReturnType<typeof setTimeout> }>();

  freeze(clientId: string, ms: number): void {
    const previous = this.#until.get(clientId);
    if (previous !== undefined) clearTimeout(previous.timer);
    const timer = setTimeout(() => this.#until.delete(clientId), ms);
    this.#until.set(clientId, { thawAt: performance.now() + ms, timer });
  }

  /** Milliseconds left in `clientId`'s freeze, or 0. */
  remainingMs(clientId: string): number {
    const entry = this.#until.get(clientId);
    return entry === undefined ? 0 : Math.max(0, entry.thawAt - performance.now());
  }

  dispose(): void {
    for (const { timer } of this.#until.values()) clearTimeout(timer);
    this.#until.clear();
  }
}

/**
 * `/ws/heartbeat`: application pings both ways and protocol pings from the
 * server, with `interval` and `timeout` from the query; a client that stops
 * answering is closed with 4000. Topics to subscribe to give a reconnecting
 * client state to restore; `freeze` stalls the server's side. The route runs
 * its own heartbeat, so the server-wide one is off here.
 */
export const heartbeatRoute: RouteFactory<HeartbeatQuery> = { doc: heartbeatEndpoint, create: createHeartbeatRoute };

function createHeartbeatRoute(): Route<HeartbeatQuery> {
  const feed = new TopicFeed();
  const frozen = new FrozenClients();
  const peers = new Set<HeartbeatPeer>();
  return {
    serverHeartbeat: false,
    check(handshake) {
      const read = readHeartbeatQuery(handshake.url);
      if (!read.ok) return read;
      const frozenMs = read.value.clientId === null ? 0 : frozen.remainingMs(freezeKey(handshake.request, read.value.clientId));
      if (frozenMs > 0) {
        return refuse(`the server is frozen for client ${read.value.clientId ?? ''} for another ${(frozenMs / 1000).toFixed(1)} s`, 503);
      }
      return read;
    },
    open(connection, handshake, query) {
      const { clientId, ...settings } = query;
      const peer = new HeartbeatPeer(connection, settings);
      peers.add(peer);
      const subscriptions = new Map<HeartbeatTopicName, () => void>();
      connection.socket.on('close', () => {
        peer.stop();
        peers.delete(peer);
        for (const unsubscribe of subscriptions.values()) unsubscribe();
        subscriptions.clear();
      });
      onJsonMessages(connection, { schema: heartbeatClientMessageSchema, knownTypes: HEARTBEAT_CLIENT_TYPES }, JSON_MESSAGE_DEFAULTS, (message) => {
        switch (message.type) {
          case 'ping':
            peer.answerPing(message.id, message.sent);
            break;
          case 'pong':
            peer.receivePong(message.id);
            break;
          case 'subscribe': {
            if (!isTopic(message.topic)) {
              connection.fail('UNKNOWN_TOPIC', unknownTopic(message.topic));
              break;
            }
            const topic = message.topic;
            if (!subscriptions.has(topic)) {
              subscriptions.set(
                topic,
                feed.subscribe(topic, (state) => {
                  // A frozen server sends nothing; what it missed is not queued.
                  if (peer.state === 'live') connection.sendJson({ type: 'update', ...state });
                }),
              );
            }
            connection.sendJson({ type: 'subscribed', ...feed.current(topic) });
            break;
          }
          case 'unsubscribe': {
            if (!isTopic(message.topic)) {
              connection.fail('UNKNOWN_TOPIC', unknownTopic(message.topic));
              break;
            }
            subscriptions.get(message.topic)?.();
            subscriptions.delete(message.topic);
            connection.sendJson({ type: 'unsubscribed', topic: message.topic });
            break;
          }
          case 'freeze':
            if (clientId !== null) frozen.freeze(freezeKey(handshake.request, clientId), message.seconds * 1000);
            peer.freeze(message.seconds);
            break;
        }
      });
      connection.sendJson({
        type: 'welcome',
        intervalMs: settings.intervalMs,
        timeoutMs: settings.timeoutMs,
        closeCode: HEARTBEAT_TIMEOUT_CLOSE_CODE,
        topics: HEARTBEAT_TOPICS.map((topic) => ({ ...topic })),
      });
      peer.start();
    },
    dispose() {
      for (const peer of peers) peer.stop();
      peers.clear();
      feed.dispose();
      frozen.dispose();
    },
  };
}
