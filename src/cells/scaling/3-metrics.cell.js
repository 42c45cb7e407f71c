// Make some traffic on the chat: two members in a room of our own, one message.
const room = `metrics-${crypto.randomUUID().slice(0, 8)}`;
const members = [new WebSocket(`${SERVER}/ws/chat/${room}`), new WebSocket(`${SERVER}/ws/chat/${room}`)];
await Promise.all(members.map((member) => new Promise((resolve) => member.addEventListener('message', resolve, { once: true }))));
const acked = new Promise((resolve) => members[0].addEventListener('message', (event) => JSON.parse(event.data).type === 'ack' && resolve()));
members[0].send(JSON.stringify({ type: 'say', text: 'counted', clientId: 'm1' }));
await acked;

// The same server answers GET /metrics in Prometheus' text format, to this machine only.
const response = await fetch(`${SERVER.replace(/^ws/, 'http')}/metrics`);
const text = await response.text();
/** The lines worth a look here: one series per line, name{labels} value. */
const wanted = (line) =>
  /^socketbook_(connections|messages_received_total|messages_sent_total)\{endpoint="\/ws\/chat\/:room"\}/.test(line) ||
  /^socketbook_chat_broker_seconds_count/.test(line) ||
  /^(socketbook_buffered_bytes|process_open_fds) /.test(line);
if (response.ok) {
  for (const line of text.split('\n').filter(wanted)) display(line);
} else {
  display(`HTTP ${response.status}: ${text.trim()}`);
}
for (const member of members) member.close(1000, 'counted');
response.status;
