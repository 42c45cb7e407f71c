import type { CheckServerMode, CheckServerSnapshot, CheckServerStore, PanelCheck } from './store.ts';
import { urlProblem } from '../../shared/grading/url.ts';
import { mixedContentText } from '../../shared/server-url.ts';
import { formatDuration } from '../../shared/format.ts';
import { create, part, setText } from '../kit/dom.ts';

function checkRow(check: PanelCheck): HTMLLIElement {
  const row = document.createElement('li');
  row.dataset.state = check.state;
  const mark = check.state === 'pass' ? '✓' : check.state === 'fail' ? '✗' : check.state === 'running' ? '…' : '·';
  const time = check.ms === null ? '' : ` (${formatDuration(check.ms)})`;
  row.append(create('span', 'sb-check-mark', `${mark} `), create('span', 'sb-check-name', `${check.name}${time}`));
  if (check.state === 'fail') {
    row.append(create('p', 'sb-check-detail', `Saw: ${check.detail ?? ''}`), create('p', 'sb-check-hint', `Fix: ${check.hint}`));
  }
  return row;
}

function statusText(snapshot: CheckServerSnapshot): string {
  if (snapshot.state === 'idle') return 'Enter your server\'s URL and press Run checks.';
  const done = snapshot.checks.filter((check) => check.state === 'pass' || check.state === 'fail');
  const failed = done.filter((check) => check.state === 'fail').length;
  if (snapshot.state === 'running') return `Checking ${snapshot.url ?? ''}: ${String(done.length)} of ${String(snapshot.checks.length)} checks done.`;
  if (failed === 0) return `All ${String(done.length)} checks passed against ${snapshot.url ?? ''}. Now run npm run grade for what a page cannot check.`;
  return `${String(failed)} of ${String(done.length)} checks failed against ${snapshot.url ?? ''}: each ✗ says what the page saw and what to fix.`;
}

/**
 * `<check-server-lab>`: validates the URL, then runs CheckServerStore's
 * checks with the page's own WebSocket. The store is loaded with the first
 * run, so a page that is only read downloads none of it.
 */
export class CheckServerElement extends HTMLElement {
  #store: CheckServerStore | null = null;

  connectedCallback(): void {
    part<HTMLFormElement>(this, 'form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#run();
    });
  }

  #mode(): CheckServerMode {
    return part<HTMLInputElement>(this, 'input[name="mode"]:checked').value === 'chat' ? 'chat' : 'echo';
  }

  async #run(): Promise<void> {
    const url = part<HTMLInputElement>(this, '.sb-check-url').value.trim();
    const problem = urlProblem(url) ?? mixedContentText(location.href, url);
    const shown = part<HTMLElement>(this, '.sb-check-problem');
    shown.hidden = problem === null;
    shown.textContent = problem ?? '';
    if (problem !== null) return;
    if (this.#store === null) {
      const { CheckServerStore } = await import('./store.ts');
      this.#store = new CheckServerStore((target) => new WebSocket(target));
      this.#store.subscribe((snapshot) => this.#render(snapshot));
    }
    await this.#store.run(url, this.#mode());
  }

  #render(snapshot: CheckServerSnapshot): void {
    const status = part<HTMLElement>(this, '.sb-status');
    status.dataset.state = snapshot.state === 'running' ? 'connecting' : snapshot.state === 'idle' ? 'idle' : snapshot.checks.some((check) => check.state === 'fail') ? 'closed' : 'open';
    setText(part(this, '.sb-status-text'), statusText(snapshot));
    part<HTMLButtonElement>(this, 'button[type="submit"]').disabled = snapshot.state === 'running';
    part<HTMLOListElement>(this, '.sb-check-list').replaceChildren(...snapshot.checks.map(checkRow));
  }
}
