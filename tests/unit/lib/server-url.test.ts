import { describe, expect, it } from 'vitest';
import { chooseServer, endpointUrl, isMixedContent, mixedContentText, normaliseServerUrl, pageServerUrl, SERVER_STORAGE_KEY, type KeyValueStorage } from '../../../src/shared/server-url.ts';

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

describe('mixed content (issue 18, item 11)', () => {
  it('detects an https page pointed at a ws:// server, and only that', () => {
    expect(isMixedContent('https://book.example/chat/?server=ws://10.0.0.5:8080', 'ws://10.0.0.5:8080')).toBe(true);
    expect(isMixedContent('https://book.example/', 'wss://10.0.0.5:8080')).toBe(false);
    expect(isMixedContent('http://book.example/', 'ws://10.0.0.5:8080')).toBe(false);
    expect(isMixedContent('http://localhost:8080/', 'ws://localhost:8080')).toBe(false);
    // Loopback is potentially trustworthy: Chromium allows it from https.
    expect(isMixedContent('https://book.example/', 'ws://localhost:8080')).toBe(false);
    expect(isMixedContent('https://book.example/', 'ws://127.0.0.1:8080')).toBe(false);
    expect(isMixedContent('https://book.example/', 'ws://[::1]:8080')).toBe(false);
    // What chooseServer gives an https page with ?server=ws://…
    const page = 'https://book.example/echo/?server=ws://192.168.1.20:8080';
    expect(isMixedContent(page, chooseServer(page, null).url)).toBe(true);
  });

  it('says why and suggests --tls or serving the page from the demo server', () => {
    expect(mixedContentText('http://localhost:8080/', 'ws://localhost:8080')).toBeNull();
    expect(mixedContentText('https://book.example/', 'ws://192.168.1.20:8080/ws/echo')).toBe(
      'This page was served over https, so the browser refuses to open ws://192.168.1.20:8080/ws/echo (mixed content: an https page may only open wss://). ' +
        'Open the page from the demo server itself (http://192.168.1.20:8080/), or start that server with TLS (npm start -- --tls, see chapter 10) and use ?server=wss://192.168.1.20:8080.',
    );
  });
});
