import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { routeFactories } from '../../../demo-server/routes/index.ts';
import { resolveOptions } from '../../../demo-server/options.ts';
import { endpointDocs } from '../../../src/shared/protocol/index.ts';

describe('endpointDocs', () => {
  it('documents every route the server has, and nothing else', () => {
    const context = { options: resolveOptions(), log: () => undefined };
    const paths = routeFactories.map((factory) => {
      const route = factory(context);
      route.dispose?.();
      return route.path;
    });
    expect(endpointDocs.map((doc) => doc.path).sort()).toEqual([...paths].sort());
  });

  it('gives examples of JSON messages that the server schemas accept', () => {
    for (const doc of endpointDocs) {
      for (const message of doc.messages) {
        const schema = message.direction === 'client-to-server' ? doc.clientSchema : doc.serverSchema;
        if (schema === null || typeof message.example !== 'object') continue;
        const result = v.safeParse(schema, message.example);
        expect(result.success, `${doc.path} ${message.type}: ${JSON.stringify(result.issues?.[0]?.message)}`).toBe(true);
      }
    }
  });
});
