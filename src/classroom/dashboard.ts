import ReconnectingWebSocket from 'partysocket/ws';
import { partysocketOptions } from '../shared/reconnect.ts';
import { CLASSROOM_PATHS, type ClassSnapshot, type ExerciseRow, type StudentRow, type TeacherClientMessage, type TeacherServerMessage } from '../shared/protocol/classroom.ts';
import { element } from './dom.ts';

/**
 * `<teacher-dashboard>`: the class, live. The token comes from the page's
 * fragment (`#token=…`, never sent by the browser on its own) and goes to
 * the server as a Bearer header (snapshot, CSV) and as `?token=` on the
 * socket, never into this page's own URL query. The server pushes a full
 * snapshot after every change; the view is redrawn from it. Names, checks
 * and reasons are typed by students: they go in as text only.
 */

type Action = { type: 'announce'; text: string } | { type: 'bring'; chapter: string; section: string | null } | { type: 'solution'; exercise: string; visible: boolean } | { type: 'reset-student'; student: number };

/** A snapshot slower than this is reported as a server that does not answer. */
const SNAPSHOT_TIMEOUT_MS = 10_000;

/** How often "12 s ago" is redrawn between snapshots. */
const CLOCK_INTERVAL_MS = 5_000;

export function tokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token === null || token === '' ? null : token;
}

/** "just now", "42 s ago", "3 min ago", "2 h ago". */
export function timeSince(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${String(seconds)} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${String(minutes)} min ago`;
  return `${String(Math.floor(minutes / 60))} h ago`;
}

/** "2 students: expected the close code 1000, got 1006 (check: closes cleanly)". */
export function failureText(row: ExerciseRow): string {
  const top = row.topFailure;
  if (top === null) return row.failures === 0 ? '—' : 'no reason given';
  const who = `${String(top.students)} ${top.students === 1 ? 'student' : 'students'}`;
  const reason = top.reason ?? 'failed';
  return top.check === null ? `${who}: ${reason}` : `${who}: ${reason} (check: ${top.check})`;
}

export function studentName(row: StudentRow): string {
  return row.name ?? `student ${String(row.id)} (no name)`;
}

export class TeacherDashboardElement extends HTMLElement {
  #token: string | null = null;
  #socket: ReconnectingWebSocket | null = null;
  #snapshot: ClassSnapshot | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, string>();
  #clock: ReturnType<typeof setInterval> | null = null;
  #chapters: { slug: string; title: string }[] = [];

  connectedCallback(): void {
    this.#chapters = JSON.parse(this.dataset.chapters ?? '[]') as { slug: string; title: string }[];
    this.#token = tokenFromHash(location.hash);
    this.#wireActions();
    void this.#start();
    window.addEventListener('hashchange', () => location.reload());
  }

  disconnectedCallback(): void {
    this.#socket?.close();
    if (this.#clock !== null) clearInterval(this.#clock);
  }

  #part<T extends Element>(name: string): T {
    const found = this.querySelector<T>(`[data-part="${name}"]`);
    if (found === null) throw new Error(`<teacher-dashboard> is missing [data-part="${name}"]`);
    return found;
  }

  #status(text: string, outcome: 'live' | 'waiting' | 'refused'): void {
    const status = this.#part<HTMLElement>('status');
    status.textContent = text;
    status.dataset.outcome = outcome;
  }

  #headers(): HeadersInit {
    return this.#token === null ? {} : { authorization: `Bearer ${this.#token}` };
  }

  async #start(): Promise<void> {
    if (this.#token === null) {
      // Without a token the snapshot would only answer 403: ask the public status instead, to say which fix applies.
      this.#status(
        (await this.#classModeOn()) === false
          ? 'Class mode is off on this server: start it with `npm start -- --classroom` (or `--host 0.0.0.0`) and open the dashboard link it prints.'
          : 'No teacher token in this link. Open the dashboard link the server printed when it started ("Teacher dashboard: …/teacher/#token=…").',
        'refused',
      );
      return;
    }
    let response: Response;
    try {
      response = await fetch(CLASSROOM_PATHS.snapshot, { headers: this.#headers(), cache: 'no-store', signal: AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS) });
    } catch {
      this.#status('The class server does not answer. Is `npm start` still running?', 'refused');
      return;
    }
    // Read every body: an unread one keeps the request open in Chromium's eyes.
    if (!response.ok) await response.text();
    if (response.status === 403) {
      this.#status('Refused (403): the teacher token in this link is wrong. Open the dashboard link the server printed when it started; a server started with another --data-dir has another token.', 'refused');
      return;
    }
    if (response.status === 404) {
      this.#status('Class mode is off on this server: start it with `npm start -- --classroom` (or `--host 0.0.0.0`) and open the dashboard link it prints.', 'refused');
      return;
    }
    if (!response.ok) {
      this.#status(`The server answered ${String(response.status)} for the class snapshot.`, 'refused');
      return;
    }
    this.#render((await response.json()) as ClassSnapshot);
    this.#part<HTMLElement>('body').hidden = false;
    this.#connect();
    this.#clock = setInterval(() => {
      if (this.#snapshot !== null) this.#renderStudents(this.#snapshot);
    }, CLOCK_INTERVAL_MS);
  }

  /** Whether the server runs a class, from its public status; null when it does not say. */
  async #classModeOn(): Promise<boolean | null> {
    try {
      const response = await fetch(CLASSROOM_PATHS.status, { cache: 'no-store', signal: AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS) });
      const status = (await response.json()) as { enabled?: unknown };
      return typeof status.enabled === 'boolean' ? status.enabled : null;
    } catch {
      return null;
    }
  }

  #connect(): void {
    const token = this.#token ?? '';
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${CLASSROOM_PATHS.teacher}?token=${encodeURIComponent(token)}`;
    // Object.assign keeps partysocketOptions()' jittering getter.
    const socket = new ReconnectingWebSocket(url, undefined, Object.assign(partysocketOptions(), { maxEnqueuedMessages: 0 }));
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let message: TeacherServerMessage;
      try {
        message = JSON.parse(event.data) as TeacherServerMessage;
      } catch {
        return;
      }
      this.#receive(message);
    });
    socket.addEventListener('close', (event) => {
      this.#status(`Not live: the class server closed the dashboard's connection (${String(event.code)}); reconnecting. The data below is from ${this.#updatedAt()}.`, 'waiting');
    });
  }

  #receive(message: TeacherServerMessage): void {
    switch (message.type) {
      case 'snapshot':
        this.#render(message.snapshot);
        return;
      case 'ack': {
        const what = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (what !== undefined) this.#part<HTMLElement>('action-status').textContent = `Done: ${what}.`;
        return;
      }
      case 'error': {
        const what = message.id === undefined ? undefined : this.#pending.get(message.id);
        if (message.id !== undefined) this.#pending.delete(message.id);
        this.#part<HTMLElement>('action-status').textContent = `Refused${what === undefined ? '' : ` (${what})`}: ${message.message}`;
        return;
      }
    }
  }

  #send(action: Action, what: string): void {
    const socket = this.#socket;
    const status = this.#part<HTMLElement>('action-status');
    if (socket?.readyState !== WebSocket.OPEN) {
      status.textContent = `Not sent (${what}): the dashboard is not connected; try again once it is live.`;
      return;
    }
    const id = this.#nextId++;
    this.#pending.set(id, what);
    const message = { ...action, id } as TeacherClientMessage;
    socket.send(JSON.stringify(message));
    status.textContent = `Sending: ${what}…`;
  }

  #wireActions(): void {
    const announce = this.#part<HTMLFormElement>('announce-form');
    announce.addEventListener('submit', (event) => {
      event.preventDefault();
      const input = announce.elements.namedItem('text') as HTMLInputElement;
      const text = input.value.trim();
      if (text === '') return;
      this.#send({ type: 'announce', text }, 'announcement sent to every student');
      input.value = '';
    });
    const select = this.#part<HTMLSelectElement>('bring-chapter');
    select.replaceChildren(...this.#chapters.map(({ slug, title }) => element('option', { value: slug }, `${title} (/${slug === 'index' ? '' : `${slug}/`})`)));
    const bring = this.#part<HTMLFormElement>('bring-form');
    bring.addEventListener('submit', (event) => {
      event.preventDefault();
      const section = (bring.elements.namedItem('section') as HTMLInputElement).value.trim().replace(/^#/, '');
      this.#send({ type: 'bring', chapter: select.value, section: section === '' ? null : section }, `everyone brought to /${select.value}/${section === '' ? '' : `#${section}`}`);
    });
    this.querySelector('[data-action="hide-all"]')?.addEventListener('click', () => this.#send({ type: 'solution', exercise: '*', visible: false }, 'every solution hidden'));
    this.querySelector('[data-action="reveal-all"]')?.addEventListener('click', () => this.#send({ type: 'solution', exercise: '*', visible: true }, 'every solution revealed'));
    this.querySelector('[data-action="export"]')?.addEventListener('click', () => void this.#exportCsv());
    this.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-exercise], button[data-student]');
      if (button === null) return;
      if (button.dataset.exercise !== undefined) {
        const visible = button.dataset.visible === 'true';
        this.#send({ type: 'solution', exercise: button.dataset.exercise, visible }, `solution of ${button.dataset.exercise} ${visible ? 'revealed' : 'hidden'}`);
      } else if (button.dataset.student !== undefined) {
        const name = button.dataset.name ?? '';
        if (!window.confirm(`Reset ${name}? The server forgets their solved exercises, attempts and chapter.`)) return;
        this.#send({ type: 'reset-student', student: Number(button.dataset.student) }, `${name} reset`);
      }
    });
  }

  async #exportCsv(): Promise<void> {
    const status = this.#part<HTMLElement>('action-status');
    const response = await fetch(CLASSROOM_PATHS.csv, { headers: this.#headers(), cache: 'no-store' });
    if (!response.ok) {
      status.textContent = `Export refused: the server answered ${String(response.status)}.`;
      return;
    }
    const name = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'socketbook-class.csv';
    const url = URL.createObjectURL(await response.blob());
    const link = element('a', { href: url, download: name });
    link.hidden = true;
    this.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    status.textContent = `Exported ${name}.`;
  }

  #updatedAt(): string {
    return this.#snapshot === null ? 'never' : new Date(this.#snapshot.at).toLocaleTimeString();
  }

  #render(snapshot: ClassSnapshot): void {
    this.#snapshot = snapshot;
    const connected = snapshot.students.filter((row) => row.connections > 0).length;
    this.#status(`Live: ${String(connected)} of ${String(snapshot.students.length)} students connected. Updated ${this.#updatedAt()}.`, 'live');
    const focused = document.activeElement instanceof HTMLElement && this.contains(document.activeElement) ? this.#focusKey(document.activeElement) : null;
    this.#renderStudents(snapshot);
    this.#renderGrid(snapshot);
    this.#renderExercises(snapshot);
    this.#part<HTMLElement>('announcement').textContent =
      snapshot.announcement === null ? 'No announcement yet.' : `Students see: "${snapshot.announcement.text}" (sent ${new Date(snapshot.announcement.at).toLocaleTimeString()}).`;
    const bring = snapshot.bring;
    this.#part<HTMLElement>('bring').textContent =
      bring === null ? 'Nobody was brought anywhere yet.' : `Students have a link to /${bring.chapter}/${bring.section === null ? '' : `#${bring.section}`} (sent ${new Date(bring.at).toLocaleTimeString()}).`;
    // A redraw replaces the buttons: give focus back to the one the teacher was on.
    if (focused !== null) this.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
  }

  #focusKey(node: HTMLElement): string | null {
    return node.dataset.focusKey ?? null;
  }

  #chapterOrder(snapshot: ClassSnapshot): { slug: string; title: string; exercises: readonly string[] }[] {
    const known = new Map(snapshot.chapters.map((chapter) => [chapter.slug, chapter.exercises]));
    const ordered = this.#chapters.filter(({ slug }) => known.has(slug)).map(({ slug, title }) => ({ slug, title, exercises: known.get(slug) ?? [] }));
    const rest = snapshot.chapters.filter(({ slug }) => !this.#chapters.some((chapter) => chapter.slug === slug)).map(({ slug, exercises }) => ({ slug, title: slug, exercises }));
    return [...ordered, ...rest];
  }

  #titleOf(slug: string | null): string {
    if (slug === null) return '—';
    return this.#chapters.find((chapter) => chapter.slug === slug)?.title ?? slug;
  }

  #renderStudents(snapshot: ClassSnapshot): void {
    const now = Date.now();
    const rows = snapshot.students.map((row) => {
      const name = studentName(row);
      const reset = element('button', { className: 'sb-button-secondary', type: 'button' }, 'Reset');
      reset.dataset.student = String(row.id);
      reset.dataset.name = name;
      reset.dataset.focusKey = `reset-${String(row.id)}`;
      reset.setAttribute('aria-label', `Reset ${name}`);
      const state = element('td', {}, row.connections > 0 ? `yes${row.connections > 1 ? ` (${String(row.connections)} tabs)` : ''}` : 'offline');
      state.dataset.state = row.connections > 0 ? 'online' : 'offline';
      const reading = row.chapter === null ? '—' : `${this.#titleOf(row.chapter)}${row.section === null ? '' : ` #${row.section}`}`;
      const tr = element(
        'tr',
        {},
        element('th', { scope: 'row' }, name),
        state,
        element('td', {}, reading),
        element('td', { title: new Date(row.lastActivityAt).toLocaleString() }, timeSince(row.lastActivityAt, now)),
        element('td', {}, String(row.solved.length)),
        element('td', {}, reset),
      );
      tr.dataset.student = String(row.id);
      return tr;
    });
    if (rows.length === 0) rows.push(element('tr', {}, element('td', { colSpan: 6 }, 'No student has joined yet. Students see a "join the class" prompt on their first page.')));
    this.#part<HTMLElement>('students').replaceChildren(...rows);
  }

  #renderGrid(snapshot: ClassSnapshot): void {
    const chapters = this.#chapterOrder(snapshot).filter((chapter) => chapter.exercises.length > 0);
    const head = element('tr', {}, element('th', { scope: 'col' }, 'Student'), ...chapters.map((chapter) => element('th', { scope: 'col', title: chapter.title }, chapter.slug)));
    const rows = snapshot.students.map((row) => {
      const tr = element(
        'tr',
        {},
        element('th', { scope: 'row' }, studentName(row)),
        ...chapters.map((chapter) => {
          const solved = chapter.exercises.filter((exercise) => row.solved.includes(exercise)).length;
          const cell = element('td', {}, `${String(solved)}/${String(chapter.exercises.length)}`);
          cell.dataset.chapter = chapter.slug;
          cell.dataset.complete = String(solved === chapter.exercises.length);
          return cell;
        }),
      );
      tr.dataset.student = String(row.id);
      return tr;
    });
    this.#part<HTMLTableElement>('grid').replaceChildren(
      element('caption', { className: 'sb-dash-caption' }, 'Exercises solved of each chapter, per student.'),
      element('thead', {}, head),
      element('tbody', {}, ...rows),
    );
  }

  #renderExercises(snapshot: ClassSnapshot): void {
    const byId = new Map(snapshot.exercises.map((row) => [row.exercise, row]));
    const rows = this.#chapterOrder(snapshot).flatMap((chapter) =>
      chapter.exercises.map((exercise) => {
        const row = byId.get(exercise) ?? { exercise, chapter: chapter.slug, attempts: 0, failures: 0, attempted: 0, solved: 0, stuck: 0, topFailure: null };
        const hidden = snapshot.hiddenSolutions.includes(exercise);
        const toggle = element('button', { className: 'sb-button-secondary', type: 'button' }, hidden ? 'Reveal' : 'Hide');
        toggle.dataset.exercise = exercise;
        toggle.dataset.visible = String(hidden);
        toggle.dataset.focusKey = `solution-${exercise}`;
        toggle.setAttribute('aria-label', `${hidden ? 'Reveal' : 'Hide'} the solution of ${exercise}`);
        const tr = element(
          'tr',
          {},
          element('th', { scope: 'row' }, `${exercise} `, element('small', {}, `(${this.#titleOf(chapter.slug)})`)),
          element('td', {}, String(row.attempts)),
          element('td', {}, String(row.solved)),
          element('td', {}, String(row.stuck)),
          element('td', { className: 'sb-dash-failure' }, failureText(row)),
          element('td', {}, `${hidden ? 'hidden' : 'shown'} `, toggle),
        );
        tr.dataset.exercise = exercise;
        return tr;
      }),
    );
    // Where the class is stuck first: most students stuck, then most attempts; untried exercises last, in page order.
    const weight = (tr: HTMLTableRowElement) => byId.get(tr.dataset.exercise ?? '');
    const ranked = rows
      .map((tr, index) => ({ tr, index, row: weight(tr) }))
      .sort((a, b) => (b.row?.stuck ?? 0) - (a.row?.stuck ?? 0) || (b.row?.attempts ?? 0) - (a.row?.attempts ?? 0) || a.index - b.index);
    this.#part<HTMLElement>('exercises').replaceChildren(...ranked.map(({ tr }) => tr));
  }
}
