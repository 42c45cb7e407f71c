// Say something, with a clientId: a key that is unique to this message.
const clientId = crypto.randomUUID();
const say = JSON.stringify({ type: 'say', text: 'Hello from a cell', clientId });

socket.send(say);
const firstAck = await nextOfType('ack');
// The broadcast reached every member, this one included, before the ack.
const broadcast = inbox.find((message) => message.type === 'message' && message.clientId === clientId);
display(`#${broadcast.id} ${broadcast.from}: ${broadcast.text}`);
display({ id: firstAck.id, recipients: firstAck.recipients, duplicate: firstAck.duplicate });

// Send exactly the same message again, as a client would after a reconnect
// when it cannot tell whether the first one arrived.
socket.send(say);
const secondAck = await nextOfType('ack');
display({ id: secondAck.id, recipients: secondAck.recipients, duplicate: secondAck.duplicate });
// How many copies of the message the room holds:
inbox.filter((message) => message.type === 'message' && message.clientId === clientId).length;
