const socket = new WebSocket(`${SERVER}/ws/echo`);

// Ask for binary messages as ArrayBuffers (the default is Blob).

// When the socket opens, send the four bytes 1, 2, 3 and 255 as one binary message.

// When the echo arrives, store its bytes as a plain array of numbers in `echoedBytes`.
let echoedBytes = [];
