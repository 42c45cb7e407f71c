const room = `practice-${crypto.randomUUID().slice(0, 8)}`;
const socket = new WebSocket(`${SERVER}/ws/chat/${room}`);

let members = [];

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  switch (message.type) {
    case 'welcome':
      members = message.members;
      socket.send(JSON.stringify({ type: 'say', text: 'hello' }));
      break;
    case 'joined':
      if (!members.includes(message.name)) members = [...members, message.name];
      break;
    case 'left':
      members = members.filter((name) => name !== message.name);
      break;
    case 'renamed':
      members = members.map((name) => (name === message.from ? message.to : name));
      break;
  }
  if (['welcome', 'joined', 'left', 'renamed'].includes(message.type)) console.log('members:', members.join(', '));
});
