import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascriptLanguage } from '@codemirror/lang-javascript';
import { bracketMatching, HighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { tags } from '@lezer/highlight';

/**
 * The cell editor: CodeMirror with JavaScript highlighting, indentation,
 * undo, bracket matching, and Shift+Enter to run. Loaded only when a reader
 * focuses or runs a cell. Token colours are CSS variables so light and dark
 * themes both meet contrast (see socketbook.css).
 */

export interface CellEditor {
  getCode(): string;
  setCode(code: string): void;
  focus(): void;
  destroy(): void;
}

export interface CellEditorOptions {
  readonly code: string;
  /** Accessible name of the editing area. */
  readonly label: string;
  onRun(): void;
  onChange(code: string): void;
}

const highlightStyle = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.moduleKeyword, tags.operatorKeyword], color: 'var(--sb-token-keyword)' },
  { tag: [tags.string, tags.special(tags.string), tags.regexp], color: 'var(--sb-token-string)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--sb-token-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--sb-token-comment)', fontStyle: 'italic' },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], color: 'var(--sb-token-function)' },
  { tag: [tags.definition(tags.variableName), tags.className], color: 'var(--sb-token-definition)' },
  { tag: tags.propertyName, color: 'var(--sb-token-property)' },
]);

const theme = EditorView.theme({
  '&': {
    backgroundColor: 'var(--sb-code-bg)',
    color: 'var(--sl-color-white)',
    fontSize: 'var(--sl-text-code, 0.875rem)',
  },
  '.cm-content': { fontFamily: 'var(--sb-mono)', caretColor: 'var(--sl-color-white)', padding: '0.75rem 0' },
  '.cm-gutters': { backgroundColor: 'var(--sb-code-bg)', color: 'var(--sl-color-gray-3)', border: 'none' },
  '.cm-activeLine': { backgroundColor: 'var(--sb-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--sb-active-line)' },
  '&.cm-focused': { outline: '2px solid var(--sl-color-accent-high)', outlineOffset: '-2px' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { backgroundColor: 'var(--sb-selection) !important' },
  '.cm-cursor': { borderLeftColor: 'var(--sl-color-white)' },
});

/** Mounts an editor in `parent` (replacing nothing: the caller hides the static code). */
export function createCellEditor(parent: HTMLElement, options: CellEditorOptions): CellEditor {
  const run = () => {
    options.onRun();
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.code,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        indentUnit.of('  '),
        bracketMatching(),
        closeBrackets(),
        javascriptLanguage,
        syntaxHighlighting(highlightStyle),
        theme,
        // Long lines wrap, as in the static code the editor replaces (expressiveCode's
        // wrap), so the code keeps its layout when a reader focuses it, even on a phone.
        EditorView.lineWrapping,
        // Shift+Enter runs, as in Jupyter; Tab indents (Escape then Tab leaves the editor).
        keymap.of([
          { key: 'Shift-Enter', run },
          { key: 'Mod-Enter', run },
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...historyKeymap,
          indentWithTab,
        ]),
        // tabindex changes nothing for the browser (contenteditable is focusable already), but axe
        // only counts focusable content by tabindex: without it, an editor long enough to scroll
        // fails scrollable-region-focusable.
        EditorView.contentAttributes.of({ 'aria-label': options.label, tabindex: '0' }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    getCode: () => view.state.doc.toString(),
    setCode(code) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
