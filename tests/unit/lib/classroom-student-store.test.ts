import { describe, expect, it } from 'vitest';
import { StudentStore, STUDENT_KEY_STORAGE, type LocalProgress } from '../../../src/classroom/student-store.ts';
import type { SolvedExerciseRecord } from '../../../src/shared/protocol/classroom.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

class FakeReconnectingSocket extends FakeSocket {
  reconnects = 0;
  reconnect(): void {
    this.reconnects++;
  }
}

function memoryStorage(entries: Record<string, string> = {}) {
  const map = new Map(Object.entries(entries));
  return {
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => {
      map.set(key, value);
    },
    removeItem: (key: string) => {
      map.delete(key);
    },
  };
}

function fakeProgress(): LocalProgress & { merged: SolvedExerciseRecord[][]; cleared: number } {
  const progress = {
    merged: [] as SolvedExerciseRecord[][],
    cleared: 0,
    solved: () => [{ exercise: 'echo-three', solvedAt: 1_000 }],
    merge: (solved: readonly SolvedExerciseRecord[]) => {
      progress.merged.push([...solved]);
    },
    clear: () => {
      progress.cleared++;
    },
  };
  return progress;
}

const KEY = 'k'.repeat(32);
const welcome = (extra: object = {}) => ({ type: 'welcome', key: KEY, name: 'ada', solved: [], merged: 0, ignored: [], announcement: null, bring: null, hiddenSolutions: [], ...extra });
const sent = (socket: FakeSocket) => socket.sent.map((data) => JSON.parse(String(data)) as Record<string, unknown>);

function joined(storage = memoryStorage()) {
  const progress = fakeProgress();
  const store = new StudentStore(storage, progress);
  const socket = new FakeReconnectingSocket();
  store.attach(socket);
  store.join('ada');
  socket.emit('open');
  socket.emit('message', { data: JSON.stringify(welcome()) });
  return { store, socket, storage, progress };
}

describe('StudentStore', () => {
  it('joins with the name and the browser\'s solved exercises, then keeps the key from the welcome', () => {
    const { store, socket, storage } = joined();
    expect(sent(socket)[0]).toEqual({ type: 'join', name: 'ada', solved: [{ exercise: 'echo-three', solvedAt: 1_000 }] });
    expect(storage.getItem(STUDENT_KEY_STORAGE)).toBe(KEY);
    expect(store.snapshot).toMatchObject({ state: 'joined', name: 'ada' });
  });

  it('keeps events until acknowledged and resends the rest, with their ids, after a reconnect (joining by key)', () => {
    const { store, socket } = joined();
    store.report({ type: 'reading', chapter: 'closing', section: null });
    store.report({ type: 'attempt', exercise: 'safe-close', passed: false, failedCheck: 'closes cleanly', reason: 'expected 1000' });
    socket.emit('message', { data: JSON.stringify({ type: 'ack', id: 1 }) });
    expect(store.snapshot.unacknowledged).toBe(1);
    socket.emit('close', { code: 1001, reason: 'going away' });
    expect(store.snapshot).toMatchObject({ state: 'offline', closed: { code: 1001, reconnecting: true } });
    socket.sent.length = 0;
    socket.emit('open');
    expect(sent(socket)).toEqual([{ type: 'join', key: KEY, name: null, solved: [{ exercise: 'echo-three', solvedAt: 1_000 }] }]);
    socket.emit('message', { data: JSON.stringify(welcome()) });
    expect(sent(socket)[1]).toEqual({ type: 'attempt', id: 2, exercise: 'safe-close', passed: false, failedCheck: 'closes cleanly', reason: 'expected 1000' });
  });

  it('shows a refused name in the server\'s words and stays unjoined', () => {
    const store = new StudentStore(memoryStorage(), fakeProgress());
    const socket = new FakeReconnectingSocket();
    store.attach(socket);
    store.join('аda');
    socket.emit('open');
    socket.emit('message', { data: JSON.stringify({ type: 'error', error: 'NAME_CLAIMED', message: '"аda" looks like "ada"' }) });
    expect(store.snapshot).toMatchObject({ state: 'refused', refusal: '"аda" looks like "ada"' });
  });

  it('forgets an unknown key (4403) and reconnects once as a new student; does not loop on 4400', () => {
    const storage = memoryStorage({ [STUDENT_KEY_STORAGE]: KEY });
    const store = new StudentStore(storage, fakeProgress());
    const socket = new FakeReconnectingSocket();
    store.attach(socket);
    store.join(null);
    socket.emit('open');
    socket.emit('close', { code: 4403, reason: 'unknown student key' });
    expect(storage.getItem(STUDENT_KEY_STORAGE)).toBeNull();
    expect(socket.reconnects).toBe(1);
    socket.sent.length = 0;
    socket.emit('open');
    expect(sent(socket)[0]).toEqual({ type: 'join', name: null, solved: [{ exercise: 'echo-three', solvedAt: 1_000 }] });
    socket.emit('close', { code: 4400, reason: 'malformed' });
    expect(socket.reconnects).toBe(1);
    expect(store.snapshot.closed).toEqual({ code: 4400, reason: 'malformed', reconnecting: false });
  });

  it('replaces hidden solutions, shows announcements and brings, and clears local progress on reset', () => {
    const { store, socket, progress } = joined();
    socket.emit('message', { data: JSON.stringify({ type: 'solutions', hiddenSolutions: ['safe-close'] }) });
    socket.emit('message', { data: JSON.stringify({ type: 'announcement', announcement: { text: '<b>hi</b>', at: 5 } }) });
    socket.emit('message', { data: JSON.stringify({ type: 'bring', bring: { chapter: 'closing', section: null, at: 6 } }) });
    socket.emit('message', { data: JSON.stringify({ type: 'reset', at: 7 }) });
    socket.emit('message', { data: 'not json' });
    expect(store.snapshot).toMatchObject({ hiddenSolutions: ['safe-close'], announcement: { text: '<b>hi</b>' }, bring: { chapter: 'closing' }, resetAt: 7 });
    expect(progress.cleared).toBe(1);
  });
});
