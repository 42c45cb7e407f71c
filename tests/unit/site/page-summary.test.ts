import { describe, expect, it } from 'vitest';
import { htmlText, summarisePage } from '../../../src/site/page-summary.ts';

describe('summarisePage', () => {
  it('lists labs and exercises in page order, gives each lab a stable id from its title, and leaves other sections alone', () => {
    const html = [
      '<section class="sb-cell not-content" aria-labelledby="echo-x1y2-title"><header><p id="echo-x1y2-title" class="sb-cell-title">Your first WebSocket: echo</p></header></section>',
      '<section class="sb-chat-pane" aria-labelledby="pane-title"><p id="pane-title">Pane</p></section>',
      '<section id="exercise-answer-pings" class="sb-cell sb-code-cell not-content" aria-label="Exercise: Answer the server&#39;s pings &amp; pongs"></section>',
      '<section class="sb-cell sb-code-cell not-content" aria-label="A code cell"></section>',
      '<section class="sb-cell not-content" aria-labelledby="echo-z9-title"><p id="echo-z9-title">Your first WebSocket: echo</p></section>',
    ].join('');
    const { entries, html: rewritten } = summarisePage(html);
    expect(entries).toEqual([
      { href: '#lab-your-first-websocket-echo', kind: 'Lab', label: 'Your first WebSocket: echo' },
      { href: '#exercise-answer-pings', kind: 'Exercise', label: "Answer the server's pings & pongs" },
      { href: '#lab-your-first-websocket-echo-2', kind: 'Lab', label: 'Your first WebSocket: echo' },
    ]);
    expect(rewritten).toContain('<section id="lab-your-first-websocket-echo" class="sb-cell not-content" aria-labelledby="echo-x1y2-title">');
    expect(rewritten).toContain('<section id="lab-your-first-websocket-echo-2" class="sb-cell');
    expect(rewritten).toContain('<section class="sb-chat-pane" aria-labelledby="pane-title">');
  });

  it('finds nothing on a page without labs or exercises', () => {
    expect(summarisePage('<h2 id="a">A</h2><p>text</p>')).toEqual({ entries: [], html: '<h2 id="a">A</h2><p>text</p>' });
  });
});

describe('htmlText', () => {
  it('decodes entities and drops tags', () => {
    expect(htmlText('<code>a&lt;b</code> &amp;&#x27;&#34; c\n d')).toBe(`a<b &'" c d`);
  });
});
