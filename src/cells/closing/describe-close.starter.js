/**
 * What a close event says about how the connection ended:
 * 'clean', 'no status' or 'abnormal'.
 */
function describeClose(event) {
  return event.code === 1000 ? 'clean' : 'abnormal';
}
