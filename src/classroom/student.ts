import ReconnectingWebSocket from 'partysocket/ws';
import { ATTEMPT_EVENT, type AttemptDetail } from '../notebook/attempt-event.ts';
import { clearProgress, mergeProgress, readProgress } from '../notebook/progress.ts';
import { partysocketOptions } from '../shared/reconnect.ts';
import { CLASSROOM_PATHS, SECTION_PATTERN, SLUG_PATTERN } from '../shared/protocol/classroom.ts';
import { element } from './dom.ts';
import { StudentStore, type LocalProgress, type StudentSnapshot } from './student-store.ts';

/**
 * The student side of class mode, loaded by `loader.ts` only when the server
 * runs for a class: the join prompt, the teacher's announcement and "bring
 * everyone here" link, "move to another browser", hidden solutions, and the
 * reports (chapter read, each exercise Check). Every text from the server or
 * the teacher goes in with `textContent`.
 */

/** Fired on `window` when progress changes (as `exercise-element.ts` does), so the sidebar redraws. */
const PROGRESS_EVENT = 'socketbook:progress';

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function localProgress(storage: Storage | null): LocalProgress {
  const changed = () => window.dispatchEvent(new CustomEvent(PROGRESS_EVENT));
  return {
    // Kept as "chapter/id"; the server knows exercises by id alone.
    solved: () =>
      Object.entries(readProgress(storage))
        .map(([id, entry]) => ({ exercise: id.slice(id.lastIndexOf('/') + 1), solvedAt: Math.max(0, Math.floor(entry.solvedAt)) }))
        .filter((entry) => SLUG_PATTERN.test(entry.exercise))
        .slice(0, 200),
    merge: (solved) => {
      mergeProgress(storage, Object.fromEntries(solved.map((entry) => [`${entry.chapter}/${entry.exercise}`, { chapter: entry.chapter, solvedAt: entry.solvedAt }])));
      for (const exercise of document.querySelectorAll<HTMLElement>('notebook-exercise')) {
        if (solved.some((entry) => `${entry.chapter}/${entry.exercise}` === exercise.dataset.cellId)) markExercise(exercise, true);
      }
      changed();
    },
    clear: () => {
      clearProgress(storage);
      for (const exercise of document.querySelectorAll<HTMLElement>('notebook-exercise')) markExercise(exercise, false);
      changed();
    },
  };
}

function markExercise(exercise: HTMLElement, solved: boolean): void {
  exercise.dataset.solved = String(solved);
  const badge = exercise.querySelector<HTMLElement>('.sb-solved');
  if (badge !== null) badge.hidden = !solved;
}

/** The page's chapter slug as the server knows it (`/` is `index`). */
function pageChapter(): string {
  return location.pathname.replace(/^\/|\/$/g, '') || 'index';
}

function pageSection(): string | null {
  const section = decodeURIComponent(location.hash.slice(1));
  return SECTION_PATTERN.test(section) ? section : null;
}

export function startStudent(bar: HTMLElement): StudentStore {
  const storage = browserStorage();
  const store = new StudentStore(storage, localProgress(storage));
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${CLASSROOM_PATHS.student}`;
  // The socket opens only once the reader joins (or has joined before).
  const socket = new ReconnectingWebSocket(url, undefined, Object.assign(partysocketOptions(), { startClosed: true, maxEnqueuedMessages: 0 }));
  store.attach(socket);

  const view = new StudentView(bar, store);
  store.subscribe((snapshot) => view.render(snapshot));

  const open = () => {
    if (socket.readyState === socket.CLOSED) socket.reconnect();
  };
  view.onJoin = (name, code) => {
    store.join(name, code);
    open();
  };
  view.onSkip = () => {
    store.skip();
  };

  if (store.key !== null) {
    store.join(null);
    open();
  }
  bar.hidden = false;

  const chapter = pageChapter();
  if (SLUG_PATTERN.test(chapter)) {
    store.report({ type: 'reading', chapter, section: pageSection() });
    window.addEventListener('hashchange', () => store.report({ type: 'reading', chapter, section: pageSection() }));
  }
  window.addEventListener(ATTEMPT_EVENT, (event) => {
    const detail = (event as CustomEvent<AttemptDetail>).detail;
    store.report({ type: 'attempt', exercise: detail.exercise, passed: detail.passed, failedCheck: detail.failedCheck, reason: detail.reason });
  });
  return store;
}

/** Draws the class bar from the store's snapshot. */
class StudentView {
  onJoin: (name: string | null, transferCode: string | null) => void = () => undefined;
  onSkip: () => void = () => undefined;

  readonly #store: StudentStore;
  readonly #prompt: HTMLFormElement;
  readonly #name: HTMLInputElement;
  readonly #codeForm: HTMLFormElement;
  readonly #code: HTMLInputElement;
  readonly #refusal: HTMLParagraphElement;
  readonly #status: HTMLParagraphElement;
  readonly #statusText: HTMLSpanElement;
  readonly #joinAgain: HTMLButtonElement;
  readonly #transfer: HTMLButtonElement;
  readonly #transferCode: HTMLSpanElement;
  readonly #announcement: HTMLParagraphElement;
  readonly #bring: HTMLParagraphElement;
  readonly #bringLink: HTMLAnchorElement;
  #promptOpen = false;

  constructor(bar: HTMLElement, store: StudentStore) {
    this.#store = store;
    const inner = bar.querySelector('.sb-classroom-inner') ?? bar;
    this.#name = element('input', { className: 'sb-field', name: 'name', autocomplete: 'off', maxLength: 24, required: true, spellcheck: false });
    const join = element('button', { className: 'sb-button', type: 'submit' }, 'Join');
    const skip = element('button', { className: 'sb-button-secondary', type: 'button' }, 'Skip');
    this.#prompt = element(
      'form',
      { className: 'sb-classroom-row sb-classroom-prompt' },
      element('span', {}, 'This page is part of a class. '),
      element('label', {}, 'Your name for the teacher', this.#name),
      join,
      skip,
    );
    this.#code = element('input', { className: 'sb-field', name: 'code', autocomplete: 'off', maxLength: 9, placeholder: 'ABCD-EFGH', spellcheck: false });
    this.#codeForm = element(
      'form',
      { className: 'sb-classroom-row' },
      element('label', {}, 'Moving from another browser? Its code', this.#code),
      element('button', { className: 'sb-button-secondary', type: 'submit' }, 'Join with the code'),
    );
    this.#refusal = element('p', { className: 'sb-classroom-row sb-classroom-refusal', role: 'alert', hidden: true });
    this.#statusText = element('span', { className: 'sb-classroom-status' });
    this.#joinAgain = element('button', { className: 'sb-button-secondary', type: 'button', hidden: true }, 'Join the class');
    this.#transfer = element('button', { className: 'sb-button-secondary', type: 'button', hidden: true }, 'Move to another browser');
    this.#transferCode = element('span', { hidden: true });
    this.#status = element('p', { className: 'sb-classroom-row' }, this.#statusText, this.#joinAgain, this.#transfer, this.#transferCode);
    this.#announcement = element('p', { className: 'sb-classroom-row sb-classroom-announcement', role: 'status', hidden: true });
    this.#bringLink = element('a', { className: 'sb-classroom-bring-link' });
    this.#bring = element('p', { className: 'sb-classroom-row sb-classroom-bring', hidden: true }, 'The teacher asks everyone to go to ', this.#bringLink);
    inner.append(this.#announcement, this.#bring, this.#prompt, this.#codeForm, this.#refusal, this.#status);

    this.#promptOpen = store.key === null && !store.skipped;
    this.#prompt.addEventListener('submit', (event) => {
      event.preventDefault();
      this.onJoin(this.#name.value.trim(), null);
    });
    this.#codeForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const code = this.#code.value.trim();
      if (code !== '') this.onJoin(null, code);
    });
    skip.addEventListener('click', () => {
      this.#promptOpen = false;
      this.onSkip();
      this.render(store.snapshot);
    });
    this.#joinAgain.addEventListener('click', () => {
      this.#promptOpen = true;
      this.render(store.snapshot);
      this.#name.focus();
    });
    this.#transfer.addEventListener('click', () => store.requestTransferCode());
  }

  render(snapshot: StudentSnapshot): void {
    const joined = snapshot.state === 'joined' || (snapshot.state === 'offline' && this.#store.key !== null);
    if (snapshot.state === 'joined') this.#promptOpen = false;
    const prompting = this.#promptOpen && !joined;
    this.#prompt.hidden = !prompting;
    this.#codeForm.hidden = !prompting;
    this.#refusal.hidden = snapshot.refusal === null;
    this.#refusal.textContent = snapshot.refusal === null ? '' : `Not joined: ${snapshot.refusal}.`;
    this.#statusText.textContent = this.#statusLine(snapshot, prompting);
    this.#joinAgain.hidden = joined || prompting || snapshot.state === 'joining';
    this.#transfer.hidden = snapshot.state !== 'joined';
    this.#transferCode.hidden = snapshot.transferCode === null;
    if (snapshot.transferCode !== null) {
      const minutes = Math.max(1, Math.round((snapshot.transferCode.expiresAt - Date.now()) / 60_000));
      this.#transferCode.replaceChildren(
        'On the other browser, open any page of this site and enter ',
        element('strong', { className: 'sb-classroom-code' }, snapshot.transferCode.code),
        ` (works once, for ${String(minutes)} minutes).`,
      );
    }
    this.#announcement.hidden = snapshot.announcement === null;
    this.#announcement.textContent = snapshot.announcement === null ? '' : `From the teacher: ${snapshot.announcement.text}`;
    this.#bring.hidden = snapshot.bring === null;
    if (snapshot.bring !== null) {
      const { chapter, section } = snapshot.bring;
      const path = `/${chapter === 'index' ? '' : `${encodeURIComponent(chapter)}/`}`;
      this.#bringLink.href = section === null ? path : `${path}#${encodeURIComponent(section)}`;
      this.#bringLink.textContent = section === null ? path : `${path}#${section}`;
    }
    hideSolutions(snapshot.hiddenSolutions);
  }

  #statusLine(snapshot: StudentSnapshot, prompting: boolean): string {
    switch (snapshot.state) {
      case 'joined':
        return `In the class as ${snapshot.name ?? 'a student without a name'}.${snapshot.unacknowledged > 0 ? ` Sending ${String(snapshot.unacknowledged)} updates…` : ''}`;
      case 'joining':
        return snapshot.closed === null ? 'Joining the class…' : `The class server closed the connection (${String(snapshot.closed.code)}); joining again…`;
      case 'refused':
        return '';
      case 'offline': {
        const closed = snapshot.closed;
        if (closed === null) return 'Not connected to the class.';
        const why = `The class server closed the connection with ${String(closed.code)}${closed.reason === '' ? '' : ` ("${closed.reason}")`}`;
        return closed.reconnecting ? `${why}; reconnecting. Your progress is kept and sent once back.` : `${why}; not reconnecting. Reload the page to try again.`;
      }
      case 'idle':
        return prompting ? '' : 'Not in the class.';
    }
  }
}

/** Hides the solution of each exercise the teacher hid (shows the others again). */
function hideSolutions(hidden: readonly string[]): void {
  for (const exercise of document.querySelectorAll<HTMLElement>('notebook-exercise')) {
    const id = (exercise.dataset.cellId ?? '').split('/').pop() ?? '';
    const solution = exercise.querySelector<HTMLDetailsElement>('.sb-solution');
    if (solution === null) continue;
    const hide = hidden.includes(id);
    solution.hidden = hide;
    if (hide) solution.open = false;
    exercise.dataset.solutionHidden = String(hide);
  }
}
