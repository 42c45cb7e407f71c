import type { CloseLabSnapshot, CloseLabStore, CloseRun } from './store.ts';
import type { CloseReport } from '../../shared/protocol/close.ts';
import { formatDuration } from '../../shared/format.ts';
import { pageServer } from '../kit/page-server.ts';
import { part, serverLabel, whenVisible } from '../kit/dom.ts';
import { endpointUrl } from '../../shared/server-url.ts';

type CloseCodes = typeof import('../../shared/close-codes.ts');

function quoted(reason: string): string {
  return reason === '' ? '' : ` "${reason}"`;
}

/** `close frame 1002 "Invalid UTF-8 in text frame" (Protocol Error)`. */
function describeReceived(report: CloseReport, codes: CloseCodes): string {
  const sent = report.clientSent;
  if (sent === null) return 'no close frame';
  if (sent.code === 1005) return 'a close frame with no status code (1005)';
  return `close frame ${String(sent.code)}${quoted(sent.reason)} (${codes.describeCloseCode(sent.code).name})`;
}

function describeInitiator(report: CloseReport): string {
  switch (report.closedBy) {
    case 'server':
      return report.serverSent.bytes === null ? 'the server, by dropping the TCP connection (no close frame)' : 'the server (it sent the first close frame)';
    case 'client':
      return 'the browser (it sent the first close frame)';
    case 'network':
      return 'nobody: the TCP connection ended without a close frame';
  }
}

/**
 * `<close-lab>`: wires CloseLab.astro's rows to a CloseLabStore. The store
 * (and the close-code table it explains results with) loads when the lab
 * scrolls into view or a Run button is pressed, so a page that is only read
 * loads neither.
 */
export class CloseLabElement extends HTMLElement {
  #codes: CloseCodes | null = null;
  #loading: Promise<CloseLabStore> | null = null;
  #cancelVisible: (() => void) | null = null;
  #frame: HTMLIFrameElement | null = null;
  /** Runs already announced, so each finished run is announced once. */
  #announced = new Set<string>();

  connectedCallback(): void {
    part<HTMLElement>(this, '.sb-server').textContent = serverLabel();
    this.#cancelVisible = whenVisible(this, () => void this.#load());
    for (const button of this.querySelectorAll<HTMLButtonElement>('[data-action="run"]')) {
      button.addEventListener('click', () => {
        const row = button.closest<HTMLElement>('[data-scenario]');
        if (row !== null) void this.#run(row);
      });
    }
  }

  disconnectedCallback(): void {
    this.#cancelVisible?.();
    this.#frame?.remove();
  }

  #load(): Promise<CloseLabStore> {
    this.#loading ??= Promise.all([import('./store.ts'), import('../../shared/close-codes.ts')]).then(([{ CloseLabStore }, codes]) => {
      this.#codes = codes;
      const store = new CloseLabStore({ server: pageServer().url, openSocket: (url) => new WebSocket(url) });
      store.subscribe((snapshot) => {
        this.#render(snapshot);
      });
      store.start();
      return store;
    });
    return this.#loading;
  }

  async #run(row: HTMLElement): Promise<void> {
    const store = await this.#load();
    const scenarioId = row.dataset.scenario ?? '';
    const code = row.querySelector<HTMLInputElement>('input[name="code"]')?.value;
    const reason = row.querySelector<HTMLInputElement>('input[name="reason"]')?.value;
    if (scenarioId !== 'navigate-away') {
      store.run(scenarioId, { ...(code === undefined ? {} : { code }), ...(reason === undefined ? {} : { reason }) });
      return;
    }
    const frame = await this.#freshFrame();
    store.run(scenarioId, {
      // The socket belongs to the frame's document, so it lives and dies with it.
      openInFrame: (url) => {
        const frameWindow = frame.contentWindow as (Window & typeof globalThis) | null;
        if (frameWindow === null) throw new Error('the close lab frame has no window');
        return new frameWindow.WebSocket(url);
      },
      navigateFrame: () => frame.contentWindow?.location.replace('about:blank'),
    });
  }

  /** A hidden same-origin frame with a loaded blank document, replacing the previous one. */
  async #freshFrame(): Promise<HTMLIFrameElement> {
    this.#frame?.remove();
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = 'A blank page that the close lab opens a socket in, then navigates away';
    const loaded = new Promise<void>((resolve) => {
      frame.addEventListener('load', () => resolve(), { once: true });
    });
    frame.src = 'about:blank';
    this.append(frame);
    await loaded;
    this.#frame = frame;
    return frame;
  }

  #render(snapshot: CloseLabSnapshot): void {
    const status = part<HTMLElement>(this, '.sb-status');
    const observerUrl = endpointUrl(pageServer().url, '/ws/close/observe');
    const texts: Record<CloseLabSnapshot['observer'], [string, string]> = {
      idle: ['connecting', 'Waiting to connect…'],
      connecting: ['connecting', `Connecting to ${observerUrl}…`],
      ready: ['open', "Ready: each run opens its own connection; the server's side arrives on a second one."],
      unavailable: [
        'unreachable',
        `Can't reach ${observerUrl}: runs show the page's side only. Start the demo server with "npm start", then reload.`,
      ],
    };
    const [state, text] = texts[snapshot.observer];
    status.dataset.state = state;
    part<HTMLElement>(this, '.sb-status-text').textContent = text;
    for (const run of Object.values(snapshot.runs)) this.#renderRun(run);
  }

  #renderRun(run: CloseRun): void {
    const row = this.querySelector<HTMLElement>(`[data-scenario="${run.scenarioId}"]`);
    const codes = this.#codes;
    if (row === null || codes === null) return;
    row.dataset.state = run.state;
    row.dataset.run = run.run;
    part<HTMLButtonElement>(row, '[data-action="run"]').disabled = run.state === 'running';
    part<HTMLElement>(row, '.sb-close-result').hidden = false;
    const refusal = part<HTMLElement>(row, '.sb-close-refusal');
    refusal.hidden = run.refusal === null;
    refusal.textContent = run.refusal ?? '';
    part<HTMLElement>(row, '.sb-close-fields').hidden = run.state === 'refused';
    const field = (name: string, text: string | null, verdict?: 'clean' | 'abnormal') => {
      const element = part<HTMLElement>(row, `[data-field="${name}"]`);
      element.textContent = text ?? '';
      if (verdict === undefined) delete element.dataset.verdict;
      else element.dataset.verdict = verdict;
      const wrapper = element.parentElement;
      if (wrapper !== null) wrapper.hidden = text === null;
    };
    const waiting = run.state === 'running' ? 'waiting…' : null;
    const page = run.page;
    if (page !== null) {
      field('page', `CloseEvent code ${String(page.code)}, reason "${page.reason}", wasClean ${String(page.wasClean)}`, page.wasClean ? 'clean' : 'abnormal');
    } else if (run.scenarioId === 'navigate-away' && run.state !== 'running') {
      field('page', 'no CloseEvent: the page that owned the socket is gone, so only the server saw the close');
    } else {
      field('page', waiting);
    }
    field('error-event', page === null ? null : run.errorEvent ? 'yes, before the close event' : 'no');
    field('elapsed', run.elapsedMs === null || page === null ? null : formatDuration(run.elapsedMs));
    const report = run.server;
    field('initiator', report === null ? waiting : describeInitiator(report));
    field('server-sent', report === null ? waiting : `${report.serverSent.description}${report.serverSent.bytes === null ? '' : `: ${report.serverSent.bytes}`}`);
    field('server-received', report === null ? waiting : describeReceived(report, codes));
    field('log', report === null ? (run.state === 'done' ? 'no report: the report connection is closed' : waiting) : report.logLine);
    const meaningCode = page?.code ?? report?.clientSent?.code ?? null;
    if (meaningCode === null) {
      field('meaning', null);
    } else {
      const info = codes.describeCloseCode(meaningCode);
      field('meaning', `${String(meaningCode)} ${info.name}: ${info.meaning} Reconnect? ${info.advice}`);
    }
    if (run.state !== 'running' && !this.#announced.has(run.run)) {
      this.#announced.add(run.run);
      const name = part<HTMLElement>(row, '.sb-close-name').textContent;
      const outcome =
        run.refusal ?? (page === null ? `the server received ${report === null ? 'nothing' : describeReceived(report, codes)}` : `the page got ${String(page.code)}`);
      part<HTMLElement>(this, '[data-part="announce"]').textContent = `${name}: ${outcome}.`;
    }
  }
}
