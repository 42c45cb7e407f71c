import { describe, expect, it } from 'vitest';
import { chooseServer, endpointUrl, normaliseServerUrl, pageServerUrl, SERVER_STORAGE_KEY, type KeyValueStorage } from '../../../src/shared/server-url.ts';

function memoryStorage(initial: Record<string, string> = {}): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe('normaliseServerUrl', () => {
  it('turns ws, wss, http, https and bare host:port into a WebSocket origin', () => {
    expect(normaliseServerUrl('ws://10.0.0.5:8080/ignored/path')).toBe('ws://10.0.0.5:8080');
    expect(normaliseServerUrl('wss://example.org')).toBe('wss://example.org');
    expect(normaliseServerUrl('http://teacher.local:8080')).toBe('ws://teacher.local:8080');
    expect(normaliseServerUrl('https://example.org')).toBe('wss://example.org');
    expect(normaliseServerUrl(' 192.168.1.20:8080 ')).toBe('ws://192.168.1.20:8080');
  });

  it('rejects empty input and other schemes', () => {
    expect(normaliseServerUrl('')).toBeNull();
    expect(normaliseServerUrl('ftp://example.org')).toBeNull();
    expect(normaliseServerUrl('javascript://alert(1)')).toBeNull();
  });
});

describe('chooseServer', () => {
  it('uses the page origin by default, wss for https pages', () => {
    expect(chooseServer('http://localhost:8080/why-websockets/', memoryStorage())).toEqual({ url: 'ws://localhost:8080', source: 'page' });
    expect(pageServerUrl('https://socketbook.example/x')).toBe('wss://socketbook.example');
  });

  it('applies ?server= and remembers it for later pages', () => {
    const storage = memoryStorage();
    expect(chooseServer('http://localhost:8080/?server=ws://10.0.0.5:8080', storage)).toEqual({ url: 'ws://10.0.0.5:8080', source: 'setting' });
    expect(storage.data.get(SERVER_STORAGE_KEY)).toBe('ws://10.0.0.5:8080');
    expect(chooseServer('http://localhost:8080/other/', storage)).toEqual({ url: 'ws://10.0.0.5:8080', source: 'setting' });
  });

  it('forgets the setting on an empty ?server=', () => {
    const storage = memoryStorage({ [SERVER_STORAGE_KEY]: 'ws://10.0.0.5:8080' });
    expect(chooseServer('http://localhost:8080/?server=', storage)).toEqual({ url: 'ws://localhost:8080', source: 'page' });
    expect(storage.data.has(SERVER_STORAGE_KEY)).toBe(false);
  });

  it('still works when storage throws', () => {
    const broken: KeyValueStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    expect(chooseServer('http://localhost:8080/?server=ws://a:1', broken).url).toBe('ws://a:1');
    expect(chooseServer('http://localhost:8080/', broken).url).toBe('ws://localhost:8080');
  });
});

describe('endpointUrl', () => {
  it('joins a server and a path', () => {
    expect(endpointUrl('ws://a:1', '/ws/echo')).toBe('ws://a:1/ws/echo');
    expect(endpointUrl('ws://a:1', 'ws/echo')).toBe('ws://a:1/ws/echo');
  });
});
