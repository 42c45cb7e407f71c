import type * as v from 'valibot';

/**
 * What the reference page says about an endpoint. Each endpoint's protocol
 * file exports one and the endpoint's route carries it (`doc` of a
 * `RouteFactory`), so the route list in `demo-server/routes/index.ts` is the
 * only registry. Tests check that every example message validates against
 * the schema the server uses, so the reference stays true to the code.
 */
export interface QueryParamDoc {
  readonly name: string;
  readonly description: string;
  /** Default when absent, as written in a URL. */
  readonly default?: string;
  /** Allowed values, e.g. `100–60000` or `naive | credit | conflate`. */
  readonly allowed?: string;
}

export interface MessageDoc {
  /** The `type` field, or a short name for non-JSON messages (`text`, `binary`). */
  readonly type: string;
  readonly direction: 'client-to-server' | 'server-to-client';
  readonly description: string;
  /** An example; JSON messages as objects (validated against the schema in tests). */
  readonly example: unknown;
}

export interface EndpointDoc {
  /** Path pattern as routed, e.g. `/ws/chat/:room`. */
  readonly path: string;
  /** Chapter slug that teaches with it; `classroom` for class mode's endpoints, which no chapter teaches. */
  readonly chapter: string;
  readonly summary: string;
  readonly subprotocols?: readonly string[];
  readonly query: readonly QueryParamDoc[];
  readonly messages: readonly MessageDoc[];
  /** Limits in words, e.g. `messages over 64 KiB close with 1009`. */
  readonly limits: readonly string[];
  /** Close codes this endpoint sends, and when. */
  readonly closeCodes: readonly { readonly code: number; readonly when: string }[];
  /** Schema the server validates client JSON messages with; `null` when the endpoint takes no JSON. */
  readonly clientSchema: v.GenericSchema | null;
  /** Schema of the JSON messages the server sends; `null` when it sends no JSON. */
  readonly serverSchema: v.GenericSchema | null;
}
