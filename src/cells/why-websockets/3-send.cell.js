// send() queues a message and returns immediately; it does not wait for an answer.
socket.send('Hello from a notebook cell');
socket.send(JSON.stringify({ type: 'greeting', at: Date.now() }));

// Bytes queued in this browser and not yet handed to the network: right after
// send() that is both messages; a moment later it is back to 0.
socket.bufferedAmount;
