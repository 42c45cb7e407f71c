/**
 * What a close event says about how the connection ended:
 * 'clean', 'no status' or 'abnormal'.
 */
function describeClose(event) {
  // RFC 6455 §7.1.5: 1006 and wasClean false mean no closing handshake took place.
  if (!event.wasClean) return 'abnormal';
  // §7.1.5: a close frame with no body reports 1005; the handshake still completed.
  if (event.code === 1005) return 'no status';
  return 'clean';
}
