import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../../src/shared/protocol/parse.ts';

const Schema = v.variant('type', [
  v.object({ type: v.literal('say'), text: v.pipe(v.string(), v.maxLength(5)) }),
  v.object({ type: v.literal('ping'), id: v.number() }),
]);
const types = ['say', 'ping'];

describe('parseClientMessage', () => {
  it('returns the typed message', () => {
    expect(parseClientMessage(Schema, types, '{"type":"ping","id":1}')).toEqual({ ok: true, value: { type: 'ping', id: 1 } });
  });

  it('names each kind of problem', () => {
    const error = (raw: string) => {
      const result = parseClientMessage(Schema, types, raw);
      return result.ok ? null : result.error;
    };
    expect(error('{nope')).toMatchObject({ type: 'error', error: 'INVALID_JSON' });
    expect(error('[1]')?.message).toBe('message does not match the protocol: expected a JSON object with a "type" field');
    expect(error('{"text":"x"}')?.message).toBe('message does not match the protocol: missing "type" field');
    expect(error('{"type":"shout"}')?.message).toBe('unknown message type: "shout"; expected one of say, ping');
    expect(error('{"type":"say","text":"too long"}')?.message).toMatch(/^message does not match the protocol: text: /);
  });
});
