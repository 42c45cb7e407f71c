// Try to post as someone else. The server names the sender of every message
// itself, so a say that carries `from` is refused; the connection stays open.
socket.send(JSON.stringify({ type: 'say', text: 'Class dismissed', from: 'teacher' }));

const refusal = await nextOfType('error');
display(refusal.error);
refusal.message;
