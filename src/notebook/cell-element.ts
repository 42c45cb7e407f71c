import type { Kernel, KernelState } from './kernel/kernel.ts';
import type { CellEditor } from './editor.ts';
import { CellStore, type CellRunState, type CellSnapshot, type OutputRow } from './cell-store.ts';
import { KeyedList } from '../labs/kit/keyed-list.ts';
import { KERNEL_CREATED_EVENT } from './kernel-created.ts';

/**
 * `<code-cell>`: a notebook code cell. The page ships only this small class;
 * the editor (CodeMirror) loads when the reader focuses the code, and the
 * kernel (a Web Worker) when they first run something. Edits are kept in
 * the browser until Reset.
 */

const STATE_LABELS: Readonly<Record<CellRunState, string>> = {
  idle: 'not run yet',
  queued: 'waiting to run',
  running: 'running…',
  done: 'done',
  error: 'error',
  stopped: 'stopped',
};

const KERNEL_LABELS: Readonly<Record<KernelState, string>> = {
  starting: 'Kernel starting…',
  idle: 'Kernel idle',
  busy: 'Kernel busy',
  restarting: 'Kernel restarting…',
  closed: 'Kernel closed',
};

function storageGet(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function storageSet(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Storage blocked or full: edits then last for this page view only.
  }
}

/** How output rows render; loaded with the first run, as pages that are only read never need it. */
let outputView: typeof import('./output-view.ts') | null = null;

async function loadPageKernel(): Promise<Kernel> {
  const { pageKernel } = await import('./page-kernel.ts');
  return pageKernel();
}

export class NotebookCellElement extends HTMLElement {
  protected store: CellStore | null = null;
  #editor: CellEditor | null = null;
  #editorLoading: Promise<CellEditor> | null = null;
  readonly #outputs = new KeyedList<OutputRow>((row) => row.id);
  #original = '';
  #code = '';
  #kernelWatched = false;
  #attachedToPageKernel = false;

  /** Identifier unique on the site, e.g. `why-websockets/open-socket`. */
  get cellId(): string {
    return this.dataset.cellId ?? '';
  }

  get #storageKey(): string {
    return `socketbook:code:${this.cellId}`;
  }

  /** The code as the reader has it now. */
  get code(): string {
    return this.#editor?.getCode() ?? this.#code;
  }

  connectedCallback(): void {
    this.#original = this.dataset.code ?? '';
    const saved = storageGet(this.#storageKey);
    this.#code = saved ?? this.#original;
    this.find('[data-action="run"]').addEventListener('click', () => void this.run());
    this.find('[data-action="stop"]').addEventListener('click', () => void this.stop());
    this.find('[data-action="reset"]').addEventListener('click', () => this.reset());
    this.find('[data-action="run-all"]').addEventListener('click', () => void runAllCells());
    this.find('[data-action="restart"]').addEventListener('click', () => void restartKernel());
    const staticCode = this.find('.sb-code-static');
    staticCode.addEventListener('focusin', () => void this.#openEditor(true));
    staticCode.addEventListener('click', () => void this.#openEditor(true));
    staticCode.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && event.shiftKey) {
        event.preventDefault();
        void this.run();
      }
    });
    // An edited cell shows the reader's code, so it needs the editor right away.
    if (saved !== null && saved !== this.#original) void this.#openEditor(false);
    this.#renderControls(null);
    window.addEventListener(KERNEL_CREATED_EVENT, () => void this.#watchKernel());
  }

  /** Runs the cell in the page kernel; resolves with the run's final state. */
  async run(): Promise<CellRunState> {
    const kernel = await loadPageKernel();
    const store = await this.ensureStore();
    if (!this.#attachedToPageKernel) {
      store.attach(kernel);
      this.#attachedToPageKernel = true;
    }
    await this.#watchKernel();
    kernel.run(this.cellId, this.code);
    return new Promise((resolve) => {
      const unsubscribe = store.subscribe((snapshot) => {
        if (snapshot.state === 'done' || snapshot.state === 'error' || snapshot.state === 'stopped') {
          queueMicrotask(() => unsubscribe());
          resolve(snapshot.state);
        }
      });
    });
  }

  async stop(): Promise<void> {
    (await loadPageKernel()).stop(this.cellId);
  }

  /** Replaces the code in the cell (and the editor, when open), keeping it as the reader's edit. */
  protected async replaceCode(code: string): Promise<void> {
    // The new code counts at once: Run or Check pressed while the editor is still loading runs it.
    this.#codeChanged(code);
    const editor = await this.#openEditor(true);
    editor.setCode(code);
  }

  /** Keeps the reader's code, in the browser too unless it is the chapter's. */
  #codeChanged(code: string): void {
    this.#code = code;
    storageSet(this.#storageKey, code === this.#original ? null : code);
    this.#renderControls(this.store?.snapshot ?? null);
  }

  /** Puts back the chapter's code and forgets the reader's edits. */
  reset(): void {
    storageSet(this.#storageKey, null);
    this.#code = this.#original;
    this.#editor?.setCode(this.#original);
    this.#renderControls(this.store?.snapshot ?? null);
  }

  protected find<T extends HTMLElement = HTMLElement>(selector: string): T {
    const found = this.querySelector<T>(selector);
    if (found === null) throw new Error(`<${this.localName}> is missing ${selector}`);
    return found;
  }

  /** The cell's store (and the output renderer), created on first use; kernels feed it once attached. */
  protected async ensureStore(): Promise<CellStore> {
    outputView ??= await import('./output-view.ts');
    if (this.store === null) {
      this.store = new CellStore(this.cellId);
      this.store.subscribe((snapshot) => {
        this.render(snapshot);
      });
    }
    return this.store;
  }

  protected render(snapshot: CellSnapshot): void {
    this.#renderControls(snapshot);
    this.#renderOutputs(snapshot);
  }

  async #watchKernel(): Promise<void> {
    if (this.#kernelWatched) return;
    this.#kernelWatched = true;
    const kernel = await loadPageKernel();
    const label = this.find('.sb-kernel-state');
    label.textContent = KERNEL_LABELS[kernel.state];
    kernel.subscribe((event) => {
      if (event.type === 'state') label.textContent = KERNEL_LABELS[event.state];
    });
  }

  async #openEditor(focus: boolean): Promise<CellEditor> {
    if (this.#editor !== null) {
      if (focus) this.#editor.focus();
      return this.#editor;
    }
    this.#editorLoading ??= import('./editor.ts').then(({ createCellEditor }) => {
      const host = this.find('.sb-code-editor');
      const editor = createCellEditor(host, {
        code: this.#code,
        label: `Code of ${this.dataset.title ?? 'this cell'} (Shift+Enter runs; Escape then Tab leaves the editor)`,
        onRun: () => void this.run(),
        onChange: (code) => {
          this.#codeChanged(code);
        },
      });
      this.find('.sb-code-static').hidden = true;
      host.hidden = false;
      this.#editor = editor;
      return editor;
    });
    const editor = await this.#editorLoading;
    if (focus) editor.focus();
    return editor;
  }

  #renderControls(snapshot: CellSnapshot | null): void {
    const state = snapshot?.state ?? 'idle';
    const count = snapshot?.executionCount ?? null;
    this.dataset.state = state;
    this.find('.sb-exec-count').textContent = state === 'running' || state === 'queued' ? '[*]' : `[${count === null ? ' ' : String(count)}]`;
    this.find('.sb-run-state').textContent = STATE_LABELS[state];
    this.find<HTMLButtonElement>('[data-action="stop"]').disabled = state !== 'running' && state !== 'queued';
    const edited = this.code !== this.#original;
    this.find<HTMLButtonElement>('[data-action="reset"]').disabled = !edited;
    this.find('.sb-edited').hidden = !edited;
  }

  #renderOutputs(snapshot: CellSnapshot): void {
    const list = this.find<HTMLOListElement>('.sb-outputs');
    const view = outputView;
    // Output rows exist only once a run started, and the output view loads before that.
    if (view !== null) {
      this.#outputs.update(list, snapshot.outputs, (row) => view.renderOutputRow(row, snapshot.runStartedAt, snapshot.executionCount));
    }
    list.hidden = snapshot.outputs.length === 0;
  }
}

/** Runs every code cell on the page in order, stopping at the first that fails (as Jupyter does). */
export async function runAllCells(): Promise<void> {
  for (const cell of document.querySelectorAll<NotebookCellElement>('code-cell')) {
    const state = await cell.run();
    if (state !== 'done') return;
  }
}

async function restartKernel(): Promise<void> {
  await (await loadPageKernel()).restart();
}
