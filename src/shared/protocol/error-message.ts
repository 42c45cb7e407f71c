import * as v from 'valibot';
import { SOCKET_ERRORS, type SocketErrorName } from './errors.ts';

/** Schema of the `{ "type": "error", … }` message that `socketError()` builds, for endpoint schemas and docs. */
export const errorMessageSchema = v.object({
  type: v.literal('error'),
  error: v.picklist(Object.keys(SOCKET_ERRORS) as [SocketErrorName, ...SocketErrorName[]]),
  message: v.string(),
  closeCode: v.optional(v.number()),
});
