import ReconnectingWebSocket from 'partysocket/ws';
import { partysocketOptions } from '~/shared/reconnect.ts';

// Every cell in this book uses these options: backoff with jitter, and
// shouldReconnectOnClose, which stops after 1000, 1002, 1003, 1007–1010,
// 1015 and 4400–4499, and reconnects after everything else.
const socket = new ReconnectingWebSocket(
  () => `${SERVER}/ws/close?code=${chosenCode}&afterMs=300`,
  undefined,
  partysocketOptions(),
);
socket.addEventListener('open', () => log('open'));
socket.addEventListener('close', (event) => {
  log('closed', event.code, socket.shouldReconnect ? 'reconnect' : 'stop');
});
