/**
 * The ids and order of the reference page's endpoint sections, shared by the
 * sections (EndpointReference.astro) and the index at the top of the page
 * (ReferenceIndex.astro). Those .astro files read the docs from the server's
 * route list; this module imports nothing of the server.
 */
import type { EndpointDoc } from '../../shared/protocol/index.ts';

/** `/ws/chat/:room` → `endpoint-ws-chat-room`. */
export function endpointAnchor(path: string): string {
  return `endpoint${path.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '').toLowerCase()}`;
}

/** The docs sorted by path: the order of the reference's sections. */
export function byPath(docs: readonly EndpointDoc[]): EndpointDoc[] {
  return [...docs].sort((a, b) => a.path.localeCompare(b.path));
}
