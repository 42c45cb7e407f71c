/**
 * The demo server's default size limit for one message (`--max-message-bytes`):
 * `ws` closes a connection with 1009 Message Too Big when a message is
 * larger (RFC 6455 §7.4.1). The server's options, the endpoint docs and the
 * cells that warn before sending read it from here.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

/** `64 KiB`: how the chapters and statuses name a limit of whole KiB. */
export function kibLabel(bytes: number): string {
  return bytes % 1024 === 0 ? `${String(bytes / 1024)} KiB` : `${bytes.toLocaleString('en')} bytes`;
}
