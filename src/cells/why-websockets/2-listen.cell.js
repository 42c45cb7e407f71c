// Whatever the server sends arrives as a 'message' event, at any time.
// This listener stays active after the cell finishes: its output appears here.
socket.addEventListener('message', (event) => {
  console.log('server says:', event.data);
});
