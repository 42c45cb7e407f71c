import type { EndpointDoc } from './endpoint-doc.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, kibLabel } from '../message-limits.ts';

export const echoEndpoint: EndpointDoc = {
  path: '/ws/echo',
  chapter: 'why-websockets',
  summary: 'Sends every message straight back: text as text, binary as binary, byte for byte.',
  query: [],
  messages: [
    { type: 'text', direction: 'client-to-server', description: 'Any text message.', example: 'Hello, WebSocket!' },
    { type: 'text', direction: 'server-to-client', description: 'The same text, unchanged.', example: 'Hello, WebSocket!' },
    { type: 'binary', direction: 'client-to-server', description: 'Any binary message.', example: '48 69 (bytes)' },
    { type: 'binary', direction: 'server-to-client', description: 'The same bytes, unchanged.', example: '48 69 (bytes)' },
  ],
  limits: [`A message larger than the server's --max-message-bytes (${kibLabel(DEFAULT_MAX_MESSAGE_BYTES)} by default) closes the connection with 1009.`],
  closeCodes: [
    { code: 1001, when: 'the server is shutting down' },
    { code: 1008, when: 'the client stopped reading and its send buffer passed the cap' },
    { code: 1009, when: 'a message was over the size limit' },
  ],
  clientSchema: null,
  serverSchema: null,
};
