const isString = (value) => typeof value === 'string';
const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
const isStringList = (value) => Array.isArray(value) && value.every(isString);

/** The fields each server message type needs, and a test for each. Extra fields are allowed. */
const FIELDS = {
  welcome: { symbols: isStringList, intervalMs: isNumber, latencyMs: isNumber },
  subscribed: { symbols: isStringList, subscriptions: isStringList, time: isNumber },
  unsubscribed: { symbols: isStringList, subscriptions: isStringList, time: isNumber },
  price: { symbol: isString, price: isNumber, change: isNumber, time: isNumber },
  pong: { id: isNumber, sent: isNumber, time: isNumber },
  error: { error: isString, message: isString },
};

/**
 * The ticker message in `raw`, parsed, when it is JSON, has a known `type`
 * and every field that type needs, of the right type; otherwise null.
 */
function parseMessage(raw) {
  let message;
  try {
    message = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const fields = Object.hasOwn(FIELDS, message.type) ? FIELDS[message.type] : null;
  if (fields === null) return null;
  for (const [name, test] of Object.entries(fields)) {
    if (!test(message[name])) return null;
  }
  return message;
}

parseMessage('{"type":"price","symbol":"AAPL","price":190.12,"change":0.05,"time":1700000000250}');
