import { ChatConnection } from '../chat-connection.ts';
import { chatUrl, type ChatServerMessage } from '../../src/shared/protocol/chat.ts';
import type { ClientMode } from '../mode.ts';

/** Longest JSON shown per line; the welcome is long. */
const MAX_LINE_CHARS = 220;

function compact(message: object | string): string {
  const json = JSON.stringify(message);
  return json.length > MAX_LINE_CHARS ? `${json.slice(0, MAX_LINE_CHARS - 1)}…` : json;
}

/** The id of the newest room event among `received`, or `fallback`. */
function lastEventId(received: readonly ChatServerMessage[], fallback: number): number {
  let last = fallback;
  for (const message of received) {
    if (message.type === 'message' || message.type === 'joined' || message.type === 'left' || message.type === 'renamed') last = Math.max(last, message.id);
  }
  return last;
}

/**
 * `demo`: a scripted tour of `/ws/chat/:room`, with no input. Two members,
 * A and B, join a fresh room and exercise every message type, bad input and
 * a resume; each message is printed as it crosses the wire. Exits when done.
 */
export const chatDemoMode: ClientMode = {
  summary: 'a scripted tour of every chat message type, bad input and resume; exits when done',
  usage: '',
  async run(_args, { server, print, warn }) {
    const room = `demo-${Math.random().toString(36).slice(2, 8)}`;
    const members: ChatConnection[] = [];
    const step = (text: string) => {
      print('');
      print(text);
    };
    const send = (who: string, connection: ChatConnection, message: object | string) => {
      print(`  ${who} → ${compact(message)}`);
      connection.send(message);
    };
    const receive = async <T extends ChatServerMessage['type']>(who: string, connection: ChatConnection, type: T) => {
      const message = await connection.next(type);
      print(`  ${who} ← ${compact(message)}`);
      return message;
    };
    const join = async (resume: Parameters<typeof chatUrl>[2] = {}) => {
      const connection = await ChatConnection.open(chatUrl(server, room, resume));
      members.push(connection);
      return connection;
    };

    try {
      print(`A tour of ${server}/ws/chat/${room}, message by message (→ sent, ← received).`);

      step('1. A joins. The server picks A\'s name and sends a welcome: who is here, recent history, the limits.');
      const alice = await join();
      const aliceWelcome = await receive('A', alice, 'welcome');

      step('2. B joins. Everyone already in the room is told, with the next id in the room\'s log.');
      const bob = await join();
      const bobWelcome = await receive('B', bob, 'welcome');
      await receive('A', alice, 'joined');

      step('3. A starts typing. The others see an indicator; it is not logged and has no id.');
      send('A', alice, { type: 'typing', typing: true });
      await receive('B', bob, 'typing');

      step('4. A says something. The server broadcasts it to every member, A included, with an id, A\'s name and the time; A also gets an ack for its clientId.');
      send('A', alice, { type: 'say', text: 'Hello, room!', clientId: 'demo-1' });
      await receive('A', alice, 'message');
      await receive('B', bob, 'message');
      await receive('A', alice, 'ack');

      step('5. B renames itself with nick; the room is told.');
      send('B', bob, { type: 'nick', name: 'demo-bee' });
      await receive('A', alice, 'renamed');

      step('6. The rooms on this server and their member counts.');
      send('A', alice, { type: 'rooms' });
      await receive('A', alice, 'rooms');

      step('7. An application-level ping.');
      send('A', alice, { type: 'ping', token: 'demo' });
      await receive('A', alice, 'pong');

      step('8. Bad input gets a named error; the connection stays up.');
      send('A', alice, '{"type":"say", oops');
      await receive('A', alice, 'error');
      send('A', alice, { type: 'shout', text: 'HI' });
      await receive('A', alice, 'error');
      send('A', alice, { type: 'say', text: 'I am the teacher', from: 'teacher' });
      await receive('A', alice, 'error');

      const bobLastId = lastEventId(bob.received, bobWelcome.lastId);
      step(`9. B drops out, having seen the room's log up to #${String(bobLastId)}. A says two things meanwhile. B reconnects with ?since=${String(bobLastId)}, its epoch and its name, and gets exactly what it missed.`);
      await bob.close();
      print('  B closes with 1000');
      await receive('A', alice, 'left');
      send('A', alice, { type: 'say', text: 'B, are you there?' });
      await receive('A', alice, 'message');
      send('A', alice, { type: 'say', text: 'I will wait.' });
      await receive('A', alice, 'message');
      const resumePoint = { since: bobLastId, epoch: bobWelcome.epoch, name: 'demo-bee' };
      print(`  B connects to ${chatUrl(server, room, resumePoint)}`);
      const back = await join(resumePoint);
      const resumed = await receive('B', back, 'welcome');
      print(`  B's resume report: ${resumed.resume?.message ?? 'none'}`);
      for (const event of resumed.history) print(`    #${String(event.id)} ${compact(event)}`);
      await receive('A', alice, 'joined');

      step(`Done: A was ${aliceWelcome.you}. Run "npm run client -- chat ${room}" to talk in a room yourself.`);
      return 0;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      warn(`demo stopped: ${reason}${reason.includes('ECONNREFUSED') ? `; is the demo server running at ${server}? (npm start)` : ''}`);
      return 1;
    } finally {
      await Promise.all(members.map((member) => member.close()));
    }
  },
};
