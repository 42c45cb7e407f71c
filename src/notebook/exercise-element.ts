import type { CheckResult } from './kernel/protocol.ts';
import { ATTEMPT_EVENT, type AttemptDetail } from './attempt-event.ts';
import { markSolved, readProgress } from './progress.ts';
import { NotebookCellElement } from './cell-element.ts';

/** Fired on `window` when an exercise is solved, so progress displays update. */
export const PROGRESS_EVENT = 'socketbook:progress';

/** How long a Check may take in all before it is called off. */
const CHECK_TIMEOUT_MS = 30_000;

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * `<notebook-exercise>`: a code cell with starter code and hidden checks.
 * Run executes it in the page kernel like any cell; Check runs it in a fresh
 * kernel (so leftovers from other cells cannot make it pass), then the
 * checks, and shows each check passed or failed with its reason. A solved
 * exercise is remembered in the browser.
 */
export class ExerciseElement extends NotebookCellElement {
  #checking = false;

  get #chapter(): string {
    return this.dataset.chapter ?? '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.find('[data-action="check"]').addEventListener('click', () => void this.check());
    this.querySelector('[data-action="use-solution"]')?.addEventListener('click', () => {
      void this.replaceCode(this.dataset.solution ?? '');
    });
    this.#renderSolved(readProgress(browserStorage())[this.cellId] !== undefined);
  }

  /** Checks the reader's code; resolves with the results. */
  async check(): Promise<readonly CheckResult[]> {
    if (this.#checking) return [];
    this.#checking = true;
    const button = this.find<HTMLButtonElement>('[data-action="check"]');
    button.disabled = true;
    this.#renderResults(null, 'Checking your code in a fresh kernel…');
    const { freshKernel } = await import('./page-kernel.ts');
    const kernel = freshKernel();
    const store = await this.ensureStore();
    const detach = store.attach(kernel);
    try {
      const results = await new Promise<readonly CheckResult[]>((resolve) => {
        const timer = setTimeout(() => {
          resolve([{ name: 'Checks finish', passed: false, message: `the checks did not finish within ${String(CHECK_TIMEOUT_MS / 1000)} s` }]);
        }, CHECK_TIMEOUT_MS);
        kernel.subscribe((event) => {
          if (event.type === 'checked' && event.cellId === this.cellId) {
            clearTimeout(timer);
            resolve(event.results);
          }
        });
        kernel.check(this.cellId, this.code, this.dataset.checks ?? '');
      });
      const solved = results.length > 0 && results.every((result) => result.passed);
      if (solved) {
        markSolved(browserStorage(), this.cellId, this.#chapter);
        window.dispatchEvent(new CustomEvent(PROGRESS_EVENT));
        this.#renderSolved(true);
      }
      this.#renderResults(results, null);
      const failed = results.find((result) => !result.passed);
      const detail: AttemptDetail = {
        exercise: this.cellId.slice(this.cellId.lastIndexOf('/') + 1),
        chapter: this.#chapter,
        passed: solved,
        failedCheck: failed?.name ?? null,
        reason: failed?.message ?? null,
      };
      window.dispatchEvent(new CustomEvent(ATTEMPT_EVENT, { detail }));
      return results;
    } finally {
      detach();
      void kernel.dispose();
      button.disabled = false;
      this.#checking = false;
    }
  }

  #renderSolved(solved: boolean): void {
    this.dataset.solved = String(solved);
    this.find('.sb-solved').hidden = !solved;
  }

  #renderResults(results: readonly CheckResult[] | null, pending: string | null): void {
    const summary = this.find('.sb-check-summary');
    const list = this.find<HTMLUListElement>('.sb-check-results');
    list.replaceChildren();
    if (results === null) {
      summary.textContent = pending ?? '';
      list.hidden = true;
      return;
    }
    const failed = results.filter((result) => !result.passed).length;
    summary.textContent =
      failed === 0
        ? `All ${String(results.length)} checks passed: exercise solved.`
        : `${String(failed)} of ${String(results.length)} checks failed. Fix the code and press Check again.`;
    summary.dataset.outcome = failed === 0 ? 'passed' : 'failed';
    for (const result of results) {
      const item = document.createElement('li');
      item.dataset.passed = String(result.passed);
      const mark = document.createElement('span');
      mark.className = 'sb-check-mark';
      mark.textContent = result.passed ? '✓ passed' : '✗ failed';
      const name = document.createElement('span');
      name.className = 'sb-check-name';
      name.textContent = result.name;
      item.append(mark, name);
      if (result.message !== null) {
        const reason = document.createElement('span');
        reason.className = 'sb-check-reason';
        reason.textContent = result.message;
        item.append(reason);
      }
      list.append(item);
    }
    list.hidden = false;
  }
}
