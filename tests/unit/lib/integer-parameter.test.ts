import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  allowedRange,
  integerParameterProblem,
  integerParameterSchema,
  integerQueryDoc,
  readIntegerQuery,
  type IntegerParameter,
} from '../../../src/shared/protocol/integer-parameter.ts';

const rate = { query: 'rate', field: 'ratePerSecond', min: 1, max: 100, defaultValue: 20, unit: 'messages per second', description: 'Samples a second' } as const satisfies IntegerParameter;
const stallEvery = { ...rate, query: 'stallEvery', field: 'stallEveryMs', min: 500, max: 60_000, defaultValue: 0, zeroMeansOff: true, unit: 'milliseconds' } as const;

describe('integerParameterProblem', () => {
  it('accepts integers in range, and 0 when it means off', () => {
    expect(integerParameterProblem(rate, 1)).toBeNull();
    expect(integerParameterProblem(rate, 100)).toBeNull();
    expect(integerParameterProblem(stallEvery, 0)).toBeNull();
  });

  it('names the range, the unit and what it got', () => {
    expect(integerParameterProblem(rate, 0)).toBe('must be an integer from 1 to 100 (messages per second), got 0');
    expect(integerParameterProblem(rate, 2.5)).toBe('must be an integer from 1 to 100 (messages per second), got 2.5');
    expect(integerParameterProblem(rate, '7')).toBe('must be an integer from 1 to 100 (messages per second), got "7"');
    expect(integerParameterProblem(stallEvery, 100)).toBe('must be 0 (off) or an integer from 500 to 60000 (milliseconds), got 100');
  });
});

describe('readIntegerQuery', () => {
  const read = (query: string) => readIntegerQuery(rate, new URLSearchParams(query));

  it('gives the default when absent and the value when valid', () => {
    expect(read('')).toEqual({ ok: true, value: 20 });
    expect(read('rate=50')).toEqual({ ok: true, value: 50 });
  });

  it('refuses anything but a plain integer in range, naming the parameter', () => {
    expect(read('rate=500')).toEqual({ ok: false, message: 'query parameter rate must be an integer from 1 to 100 (messages per second), got 500' });
    for (const raw of ['', '1e2', '0x10', ' 5', '5.0', 'fast']) {
      expect(read(`rate=${raw}`)).toMatchObject({ ok: false });
    }
  });
});

describe('integerParameterSchema', () => {
  it('validates a message field with the same message', () => {
    const schema = v.object({ ratePerSecond: integerParameterSchema(rate) });
    expect(v.safeParse(schema, { ratePerSecond: 5 }).success).toBe(true);
    const result = v.safeParse(schema, { ratePerSecond: 500 });
    expect(result.issues?.[0]?.message).toBe('must be an integer from 1 to 100 (messages per second), got 500');
  });
});

describe('integerQueryDoc', () => {
  it('documents the parameter for the reference page', () => {
    expect(integerQueryDoc(stallEvery)).toEqual({ name: 'stallEvery', description: 'Samples a second (milliseconds).', default: '0', allowed: '0 (off) or 500–60000' });
    expect(allowedRange(rate)).toBe('1–100');
  });
});
