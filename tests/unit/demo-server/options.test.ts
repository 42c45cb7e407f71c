import { describe, expect, it } from 'vitest';
import { DEFAULTS, resolveOptions } from '../../../demo-server/options.ts';
import { parseCliOptions } from '../../../demo-server/flags.ts';
import { matchPath } from '../../../demo-server/core/route.ts';
import { truncateUtf8 } from '../../../demo-server/core/connection.ts';

describe('resolveOptions', () => {
  it('fills in DEFAULTS', () => {
    expect(resolveOptions()).toEqual(DEFAULTS);
    expect(DEFAULTS.maxMessageBytes).toBe(64 * 1024);
  });

  it('throws a TypeError naming the option and the value', () => {
    expect(() => resolveOptions({ maxMessageBytes: 0 })).toThrow(new TypeError('maxMessageBytes must be a whole number from 1 to 104857600, got 0'));
    expect(() => resolveOptions({ heartbeatIntervalMs: 50 })).toThrow(/heartbeatIntervalMs must be 0 \(off\) or at least 100/);
    expect(() => resolveOptions({ allowedOrigins: ['evil.example'] })).toThrow(/allowedOrigins entries must look like http:\/\/host:port/);
  });

  it('keeps the chat defaults unless overridden, and checks overrides like the chat does', () => {
    expect(DEFAULTS.chat).toEqual({});
    expect(resolveOptions({ chat: { maxMembersPerRoom: 2000 } }).chat).toEqual({ maxMembersPerRoom: 2000 });
    expect(() => resolveOptions({ chat: { maxMembersPerRoom: 0 } })).toThrow(new TypeError('chat option maxMembersPerRoom must be a whole number from 1 to 100000, got 0'));
    expect(() => resolveOptions({ chat: { historyLength: 10, historyOnJoin: 20 } })).toThrow(/historyOnJoin \(20\) cannot exceed historyLength \(10\)/);
  });

  it('rejects a send-buffer cap smaller than one message', () => {
    expect(() => resolveOptions({ maxMessageBytes: 100_000, maxBufferedBytes: 50_000 })).toThrow(TypeError);
  });
});

describe('parseCliOptions', () => {
  it('reads flags, falling back to the environment and defaults', () => {
    const options = parseCliOptions(['--host', '0.0.0.0', '--allowed-origins', 'http://a:1, http://b:2'], { PORT: '9000' });
    expect(options).toMatchObject({ port: 9000, host: '0.0.0.0', quiet: false, siteDir: 'dist' });
    expect(options.server.allowedOrigins).toEqual(['http://a:1', 'http://b:2']);
    expect(parseCliOptions([], {}).port).toBe(8080);
  });

  it('reads --metrics-on-lan (or METRICS_ON_LAN=1); /metrics is for this machine only without it', () => {
    expect(parseCliOptions(['--metrics-on-lan'], {}).server.metricsOnLan).toBe(true);
    expect(parseCliOptions([], { METRICS_ON_LAN: '1' }).server.metricsOnLan).toBe(true);
    expect(parseCliOptions([], {}).server.metricsOnLan).toBeUndefined();
  });

  it('reads --chat-limits (or CHAT_LIMITS) as name=value overrides of the chat limits', () => {
    expect(parseCliOptions(['--chat-limits', 'messagesPerSecond=10000, maxMembersPerRoom=1001'], {}).server.chat).toEqual({ messagesPerSecond: 10_000, maxMembersPerRoom: 1001 });
    expect(parseCliOptions([], { CHAT_LIMITS: 'burstMessages=50' }).server.chat).toEqual({ burstMessages: 50 });
    expect(parseCliOptions([], {}).server.chat).toBeUndefined();
  });

  it('reads --chat-rooms-per-address and --chat-places-per-address (or their variables) into the chat limits, beside --chat-limits', () => {
    expect(parseCliOptions(['--chat-places-per-address', '128', '--chat-limits', 'messagesPerSecond=10'], {}).server.chat).toEqual({ messagesPerSecond: 10, maxPlacesPerAddress: 128 });
    expect(parseCliOptions([], { CHAT_ROOMS_PER_ADDRESS: '40' }).server.chat).toEqual({ maxRoomsPerAddress: 40 });
    expect(() => parseCliOptions(['--chat-places-per-address', '0'], {})).toThrow('--chat-places-per-address must be a whole number from 1 to 1000000, got "0"');
  });

  it('rejects unknown chat limits, malformed entries and values out of range, naming them', () => {
    expect(() => parseCliOptions(['--chat-limits', 'maxMembers=5'], {})).toThrow(/--chat-limits: unknown limit "maxMembers"; known: maxTextChars, messagesPerSecond, /);
    expect(() => parseCliOptions(['--chat-limits', 'messagesPerSecond=-1'], {})).toThrow('--chat-limits entries look like name=number, got "messagesPerSecond=-1"');
    expect(() => parseCliOptions(['--chat-limits', 'messagesPerSecond=20000'], {})).toThrow('chat option messagesPerSecond must be a whole number from 1 to 10000, got 20000');
  });

  it('rejects unknown flags and bad numbers', () => {
    expect(() => parseCliOptions(['--prot', '1'], {})).toThrow(/Unknown option '--prot'/);
    expect(() => parseCliOptions(['--max-message-bytes=-5'], {})).toThrow('--max-message-bytes must be a whole number from 1 to 104857600, got "-5"');
  });

  it('puts the attacker page on port + 1 by default, a free port with --port 0, off with --attacker-port 0 or a LAN host', () => {
    expect(parseCliOptions(['--port', '4306'], {}).attacker).toEqual({ port: 4307, explicit: false });
    expect(parseCliOptions(['--port', '0'], {}).attacker).toEqual({ port: 0, explicit: false });
    expect(parseCliOptions(['--port', '65535'], {}).attacker).toBeNull();
    expect(parseCliOptions(['--attacker-port', '9999'], {}).attacker).toEqual({ port: 9999, explicit: true });
    expect(parseCliOptions([], { ATTACKER_PORT: '9998' }).attacker).toEqual({ port: 9998, explicit: true });
    expect(parseCliOptions(['--attacker-port', '0'], {}).attacker).toBeNull();
    expect(parseCliOptions(['--host', '0.0.0.0'], {}).attacker).toBeNull();
    expect(parseCliOptions(['--host', '::1', '--port', '10'], {}).attacker).toEqual({ port: 11, explicit: false });
    expect(parseCliOptions(['--host', '0.0.0.0', '--attacker-on-lan'], {})).toMatchObject({ attacker: { port: 8081, explicit: false }, attackerOnLan: true });
    expect(() => parseCliOptions(['--host', '192.168.1.20', '--attacker-port', '9999'], {})).toThrow(/^the attacker page is only served on a loopback host \(--host 192\.168\.1\.20 would/);
  });

  it('reads --tls, or --tls-cert with --tls-key (or TLS_CERT and TLS_KEY), which win over --tls', () => {
    expect(parseCliOptions([], {}).tls).toBeNull();
    expect(parseCliOptions(['--tls'], {}).tls).toEqual({ kind: 'self-signed' });
    expect(parseCliOptions(['--tls', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {}).tls).toEqual({ kind: 'files', cert: 'c.pem', key: 'k.pem' });
    expect(parseCliOptions([], { TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' }).tls).toEqual({ kind: 'files', cert: 'c.pem', key: 'k.pem' });
    expect(() => parseCliOptions(['--tls-cert', 'c.pem'], {})).toThrow('--tls-cert and --tls-key go together');
  });

  it('reads the per-client send-buffer cap from --max-buffered-bytes or MAX_BUFFERED_BYTES', () => {
    expect(parseCliOptions(['--max-buffered-bytes', '1048576'], {}).server.maxBufferedBytes).toBe(1_048_576);
    expect(parseCliOptions([], { MAX_BUFFERED_BYTES: '262144' }).server.maxBufferedBytes).toBe(262_144);
    expect(() => parseCliOptions(['--max-buffered-bytes', '10'], {})).toThrow('--max-buffered-bytes must be a whole number from 1024 to 1073741824, got "10"');
  });
});

describe('matchPath', () => {
  it('matches literal paths and captures :segments, decoded', () => {
    expect(matchPath('/ws/echo', '/ws/echo')).toEqual({});
    expect(matchPath('/ws/echo', '/ws/echo/')).toBeNull();
    expect(matchPath('/ws/echo', '/ws/ech')).toBeNull();
    expect(matchPath('/ws/chat/:room', '/ws/chat/caf%C3%A9')).toEqual({ room: 'café' });
    expect(matchPath('/ws/chat/:room', '/ws/chat')).toBeNull();
    expect(matchPath('/ws/chat/:room', '/ws/chat/%E0%A4%A')).toBeNull();
  });
});

describe('truncateUtf8', () => {
  it('cuts to the byte limit without splitting a character', () => {
    expect(truncateUtf8('short', 123)).toBe('short');
    const cut = truncateUtf8('é'.repeat(100), 123);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut.endsWith('...')).toBe(true);
  });
});
