const socket = new WebSocket(`${SERVER}/ws/echo`);
const echoes = [];

// 1. When the socket opens, send 'one', 'two' and 'three'.
// 2. Push every message the server sends back into `echoes`.
// 3. Once all three have come back, close the socket with code 1000.
