import * as v from 'valibot';
import { SOCKET_ERRORS } from './errors.ts';

/** `{ "type": "error", … }` as `connection.fail()` sends it (see `socketError()`), for server schemas to include. */
export const ErrorMessageSchema = v.object({
  type: v.literal('error'),
  error: v.picklist(Object.keys(SOCKET_ERRORS) as (keyof typeof SOCKET_ERRORS)[]),
  message: v.string(),
  closeCode: v.optional(v.number()),
});
