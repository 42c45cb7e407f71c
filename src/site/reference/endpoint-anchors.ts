/**
 * The reference page's endpoint sections, in page order, and the id of each,
 * shared by the sections (EndpointReference.astro) and the index at the top
 * of the page (ReferenceIndex.astro). Build time only.
 */
import type { EndpointDoc } from '../../shared/protocol/index.ts';
import { endpointDocs } from '../../../demo-server/routes/index.ts';

/** `/ws/chat/:room` → `endpoint-ws-chat-room`. */
export function endpointAnchor(path: string): string {
  return `endpoint${path.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '').toLowerCase()}`;
}

/** Every endpoint's doc, sorted by path: the order of the reference's sections. */
export function sortedEndpointDocs(): EndpointDoc[] {
  return [...endpointDocs].sort((a, b) => a.path.localeCompare(b.path));
}
