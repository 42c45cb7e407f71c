import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { endpointDocs, routeFactories } from '../../../demo-server/routes/index.ts';
import { resolveOptions } from '../../../demo-server/options.ts';
import type { EndpointDoc } from '../../../src/shared/protocol/endpoint-doc.ts';

/** `null` when every JSON example of `doc` validates against the schema the server uses, else the first that does not. */
function invalidExample(doc: EndpointDoc): string | null {
  for (const message of doc.messages) {
    const schema = message.direction === 'client-to-server' ? doc.clientSchema : doc.serverSchema;
    if (schema === null || typeof message.example !== 'object') continue;
    const result = v.safeParse(schema, message.example);
    if (!result.success) return `${doc.path} ${message.type}: ${result.issues[0].message}`;
  }
  return null;
}

/** `null` when `entry` is a route-list entry with a doc, else what is missing. */
function missingDoc(entry: unknown): string | null {
  const doc = (entry as { doc?: Partial<EndpointDoc> }).doc;
  if (doc === undefined) return 'no doc';
  if (typeof doc.path !== 'string' || !doc.path.startsWith('/ws/')) return 'a doc without a /ws/ path';
  if (!Array.isArray(doc.messages) || !Array.isArray(doc.closeCodes)) return 'a doc without messages or close codes';
  return null;
}

describe('the route list', () => {
  it('gives every route a doc with its path, messages and close codes', () => {
    for (const factory of routeFactories) expect(missingDoc(factory), factory.doc.path).toBeNull();
    expect(missingDoc({ create: () => ({ open() {} }) })).toBe('no doc');
  });

  it('lists each path once, and the server makes a route for each', () => {
    const paths = endpointDocs.map((doc) => doc.path);
    expect(new Set(paths).size).toBe(paths.length);
    const context = { options: resolveOptions(), log: () => undefined, attackerPort: () => null };
    for (const factory of routeFactories) {
      const route = factory.create(context);
      expect(typeof route.open, factory.doc.path).toBe('function');
      route.dispose?.();
    }
  });

  it('gives examples of JSON messages that the server schemas accept', () => {
    for (const doc of endpointDocs) expect(invalidExample(doc)).toBeNull();
  });

  it('catches an example that does not validate', () => {
    const [doc] = endpointDocs.filter((candidate) => candidate.clientSchema !== null && candidate.messages.some((message) => message.direction === 'client-to-server'));
    if (doc === undefined) throw new Error('no endpoint takes JSON messages');
    const broken: EndpointDoc = {
      ...doc,
      messages: [{ type: 'broken', direction: 'client-to-server', description: 'not a message of this endpoint', example: { type: 'no-such-type' } }],
    };
    expect(invalidExample(broken)).toMatch(/^\/ws\/\S+ broken: /);
  });
});
