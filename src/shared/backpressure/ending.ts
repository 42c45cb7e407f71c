/**
 * How a backpressure run ended, in numbers and in plain words: who closed,
 * which close code each side saw, and lost = sent − processed, split by where
 * the lost messages were when the connection died.
 */
import { describeCloseCode } from '../close-codes.ts';
import { formatBytes, formatDuration } from '../format.ts';
import type { ConsumerProgress } from './consumer.ts';
import type { PageClose, RunConfig } from './run-config.ts';
import { BACKLOG_OVER_BUDGET_CLOSE_CODE, type BackpressureEnded, type BackpressureStats } from '../protocol/backpressure.ts';

export interface RunEnding {
  /**
   * `pending`: the server has given up but the page has not seen the close
   * yet; `failure`: messages were lost or the connection was cut; `clean`:
   * nothing lost (conflate's counted drops are intended).
   */
  readonly verdict: 'pending' | 'failure' | 'clean';
  /** Who ended the connection, and why. */
  readonly headline: string;
  /** The close code each side saw. */
  readonly closeLine: string;
  /** Messages the server sent, when known. */
  readonly sent: number | null;
  readonly processed: number;
  /** sent − processed, when `sent` is known. */
  readonly lost: number | null;
  /** conflate: values superseded on purpose, never sent. */
  readonly dropped: number;
  /** Lost messages still in the server's send buffer when it ended. */
  readonly neverLeftServer: number | null;
  /** Lost messages the server had handed to TCP that never reached the page's code. */
  readonly inTcpBuffers: number | null;
  /** Lost messages the page had received and queued. */
  readonly receivedNotProcessed: number;
  /** The breakdown and the point of it, in sentences. */
  readonly explanation: readonly string[];
}

/** What a run knows when it ends: the store's snapshot, or the terminal client's counts. */
export interface EndingInput {
  readonly config: RunConfig;
  readonly serverEnded: BackpressureEnded | null;
  readonly server: BackpressureStats | null;
  readonly consumer: ConsumerProgress;
  readonly pageClose: PageClose | null;
  readonly elapsedMs: number;
  readonly peakServerBufferedBytes: number;
}

/** `1,234` */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function messages(count: number): string {
  return `${formatCount(count)} message${count === 1 ? '' : 's'}`;
}

function codeName(code: number): string {
  return `${String(code)} (${describeCloseCode(code).name})`;
}

/** Who consumed: `the page` in the lab, `this client` in the terminal. */
export interface EndingWords {
  readonly consumer: string;
}

function capitalised(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function headlineOf(input: EndingInput, elapsed: string, words: EndingWords): string {
  const { serverEnded, pageClose, consumer, config, server } = input;
  const who = words.consumer;
  if (serverEnded?.cause === 'pong-timeout') {
    return `The server gave up after ${formatDuration(serverEnded.elapsedMs)}: ${serverEnded.detail}, so it dropped the TCP connection. Its pings were waiting behind data ${who} had not read.`;
  }
  if (serverEnded?.cause === 'send-buffer-full') {
    return `The server cut this client off after ${formatDuration(serverEnded.elapsedMs)} with close code 1008: ${serverEnded.detail}.`;
  }
  if (serverEnded?.cause === 'server-shutdown') return `The server shut down after ${elapsed} (close code 1001).`;
  if (pageClose?.initiatedBy === 'page' && pageClose.code === BACKLOG_OVER_BUDGET_CLOSE_CODE) {
    const rtt = server?.lastPingRttMs;
    const pings = rtt === null || rtt === undefined ? '' : ` Its last ping came back in ${formatDuration(rtt)}, because the browser kept reading the socket.`;
    return `${capitalised(who)} gave up after ${elapsed}: its backlog passed its ${formatBytes(config.pageBudgetBytes)} budget, with ${messages(consumer.backlogMessages)} received and waiting. The server saw nothing wrong.${pings}`;
  }
  if (consumer.finished !== null && consumer.processed >= consumer.finished.sent) {
    return `The run finished after ${elapsed}: ${who} asked the server to stop, processed every message already sent, and closed with 1000.`;
  }
  if (pageClose?.initiatedBy === 'page' && pageClose.code === 1011) {
    return `${capitalised(who)} gave up after ${elapsed}: its own keepalive ping got no pong in time (the server's pong was queued behind data ${who} had not read), so it sent 1011 and dropped the TCP connection, as the seed's Python client did.`;
  }
  if (pageClose?.initiatedBy === 'page') return `You stopped the run after ${elapsed}; ${who} closed the connection.`;
  if (serverEnded !== null && serverEnded.cause !== 'client-closed') return `The connection ended after ${elapsed}: ${serverEnded.detail}.`;
  return `The connection closed after ${elapsed}${pageClose === null ? '' : ` with code ${String(pageClose.code)}`}.`;
}

function closeLineOf(input: EndingInput, words: EndingWords): string {
  const { serverEnded, pageClose } = input;
  const who = words.consumer;
  if (pageClose === null) {
    return `${capitalised(who)} has not seen the close yet: it is still busy with messages that arrived before the server gave up.`;
  }
  const reason = pageClose.reason === '' ? '' : ` "${pageClose.reason}"`;
  if (pageClose.initiatedBy === 'page') {
    const server = serverEnded === null ? '' : serverEnded.clientCloseCode === null ? ' The server never received that close frame.' : ` The server received it.`;
    return `${capitalised(who)} closed with ${codeName(pageClose.code)}${reason}.${server}`;
  }
  const seen = `${capitalised(who)} saw close code ${codeName(pageClose.code)}${reason}, ${pageClose.wasClean ? 'a clean close' : 'not a clean close (wasClean is false)'}.`;
  if (serverEnded === null) return seen;
  if (serverEnded.closedBy === 'server' && serverEnded.serverCloseCode === null) {
    return `${seen} The server sent no close frame: it dropped the TCP connection, and 1006 is the code a side reports when no close frame arrived.`;
  }
  if (serverEnded.serverCloseCode !== null && serverEnded.serverCloseCode !== pageClose.code) {
    return `${seen} The server did send ${codeName(serverEnded.serverCloseCode)}, but that close frame was queued behind the data ${who} never read; the server stopped waiting and dropped the connection first.`;
  }
  return seen;
}

/** Describes the end of a run; the store calls it once the page or the server has seen the connection end. */
export function describeEnding(input: EndingInput, words: EndingWords = { consumer: 'the page' }): RunEnding {
  const who = words.consumer;
  const { serverEnded, server, consumer, pageClose, config } = input;
  const elapsed = formatDuration(pageClose?.elapsedMs ?? input.elapsedMs);
  const sent = serverEnded?.sent ?? consumer.finished?.sent ?? server?.sent ?? null;
  const processed = consumer.processed;
  const lost = sent === null ? null : Math.max(0, sent - processed);
  const dropped = serverEnded?.dropped ?? consumer.finished?.dropped ?? server?.dropped ?? consumer.droppedReported;
  const receivedNotProcessed = consumer.received - consumer.processed;
  const neverLeftServer = serverEnded === null ? null : Math.min(serverEnded.unsentMessages, lost ?? 0);
  const inTcpBuffers = sent === null || neverLeftServer === null ? null : Math.max(0, sent - neverLeftServer - consumer.received);
  const explanation: string[] = [];
  if (lost !== null && lost > 0) {
    if (neverLeftServer !== null && neverLeftServer > 0) {
      explanation.push(`${messages(neverLeftServer)} never left the server: they were still in its send buffer when the connection ended.`);
    }
    if (inTcpBuffers !== null && inTcpBuffers > 0) {
      explanation.push(`${messages(inTcpBuffers)} had left the server: TCP held them in the socket buffers between the two programs, and ${who} never read them.`);
    }
    if (receivedNotProcessed > 0) {
      explanation.push(`${messages(receivedNotProcessed)} had reached ${who} but were never processed.`);
    }
    const delivered = (inTcpBuffers ?? 0) + receivedNotProcessed;
    if (delivered > 0) {
      explanation.push(
        `TCP delivered ${messages(delivered)} that the application never processed. TCP promises to deliver bytes to a socket, not that anyone processes them, and nothing told the server.`,
      );
    }
  } else if (lost === 0 && config.settings.mode === 'credit') {
    explanation.push(
      `Nothing lost. The server never ran more than the credit window (${formatCount(config.creditWindow)}) ahead of ${who}, so its send buffer peaked at ${formatBytes(input.peakServerBufferedBytes)}.`,
    );
  }
  if (config.settings.mode === 'conflate' && dropped > 0) {
    explanation.push(
      `The server dropped ${formatCount(dropped)} values on purpose, each superseded by a newer one before ${who} was ready, and said so in every message: ${who} always processed the latest value.`,
    );
  }
  const pending = pageClose === null;
  const failed = (lost !== null && lost > 0) || (serverEnded !== null && serverEnded.closedBy === 'server' && serverEnded.cause !== 'server-shutdown');
  return {
    verdict: pending ? 'pending' : failed ? 'failure' : 'clean',
    headline: headlineOf(input, elapsed, words),
    closeLine: closeLineOf(input, words),
    sent,
    processed,
    lost,
    dropped,
    neverLeftServer,
    inTcpBuffers,
    receivedNotProcessed,
    explanation,
  };
}
