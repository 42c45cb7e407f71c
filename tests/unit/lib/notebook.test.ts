import { describe, expect, it } from 'vitest';
import type { KernelEvent } from '../../../src/notebook/kernel/kernel.ts';
import { CellStore, MAX_OUTPUT_ROWS, STUCK_NOTICE } from '../../../src/notebook/cell-store.ts';
import { markSolved, PROGRESS_STORAGE_KEY, readProgress, solvedByChapter } from '../../../src/notebook/progress.ts';
import type { KeyValueStorage } from '../../../src/shared/server-url.ts';

class FakeKernel {
  readonly listeners = new Set<(event: KernelEvent) => void>();
  subscribe(listener: (event: KernelEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: KernelEvent) {
    for (const listener of this.listeners) listener(event);
  }
}

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value), removeItem: (key) => void data.delete(key) };
}

describe('CellStore', () => {
  it('follows a run: queued, running with a fresh output area, done', () => {
    const kernel = new FakeKernel();
    const store = new CellStore('a', () => 1000);
    store.attach(kernel);
    kernel.emit({ type: 'queued', runId: 1, cellId: 'a' });
    expect(store.snapshot.state).toBe('queued');
    kernel.emit({ type: 'output', cellId: 'a', at: 5, item: { kind: 'log', level: 'log', values: [] } });
    kernel.emit({ type: 'started', runId: 1, cellId: 'a', executionCount: 3 });
    expect(store.snapshot).toMatchObject({ state: 'running', executionCount: 3, outputs: [], runStartedAt: 1000 });
    kernel.emit({ type: 'output', cellId: 'a', at: 1010, item: { kind: 'display', value: { kind: 'null' } } });
    kernel.emit({ type: 'output', cellId: 'other', at: 1010, item: { kind: 'display', value: { kind: 'null' } } });
    kernel.emit({ type: 'done', runId: 1, cellId: 'a', status: 'error' });
    expect(store.snapshot.state).toBe('error');
    expect(store.snapshot.outputs).toHaveLength(1);
  });

  it('explains a restart caused by a stuck run in that cell', () => {
    const kernel = new FakeKernel();
    const store = new CellStore('loop');
    store.attach(kernel);
    kernel.emit({ type: 'started', runId: 1, cellId: 'loop', executionCount: 1 });
    kernel.emit({ type: 'restarted', reason: 'stuck', cellId: 'loop' });
    expect(store.snapshot.state).toBe('stopped');
    expect(store.snapshot.outputs.at(-1)?.item).toEqual({ kind: 'notice', tone: 'warning', text: STUCK_NOTICE });
  });

  it('keeps at most MAX_OUTPUT_ROWS rows', () => {
    const kernel = new FakeKernel();
    const store = new CellStore('a');
    store.attach(kernel);
    for (let index = 0; index < MAX_OUTPUT_ROWS + 5; index++) {
      kernel.emit({ type: 'output', cellId: 'a', at: index, item: { kind: 'display', value: { kind: 'number', value: String(index) } } });
    }
    expect(store.snapshot.outputs).toHaveLength(MAX_OUTPUT_ROWS);
    expect(store.snapshot.outputs[0]?.at).toBe(5);
  });
});

describe('progress', () => {
  it('records solved exercises once, per chapter, and survives a reload of the record', () => {
    const storage = memoryStorage();
    markSolved(storage, 'why-websockets/echo-three', 'why-websockets', 1);
    markSolved(storage, 'why-websockets/echo-three', 'why-websockets', 2);
    markSolved(storage, 'handshake/accept', 'handshake', 3);
    const progress = readProgress(storage);
    expect(progress['why-websockets/echo-three']).toEqual({ chapter: 'why-websockets', solvedAt: 1 });
    expect(solvedByChapter(progress)).toEqual({ 'why-websockets': 1, handshake: 1 });
  });

  it('ignores malformed storage', () => {
    const storage = memoryStorage();
    storage.setItem(PROGRESS_STORAGE_KEY, '{"x": 5, "y": {"chapter": "a", "solvedAt": 1}}');
    expect(readProgress(storage)).toEqual({ y: { chapter: 'a', solvedAt: 1 } });
    storage.setItem(PROGRESS_STORAGE_KEY, 'not json');
    expect(readProgress(storage)).toEqual({});
  });
});
