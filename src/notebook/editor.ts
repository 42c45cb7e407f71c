import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascriptLanguage } from '@codemirror/lang-javascript';
import { bracketMatching, HighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { EditorState, RangeSetBuilder } from '@codemirror/state';
import { Decoration, drawSelection, EditorView, highlightActiveLine, keymap, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { tags } from '@lezer/highlight';

/**
 * The cell editor: CodeMirror with JavaScript highlighting, indentation,
 * undo, bracket matching, and Shift+Enter to run. Loaded only when a reader
 * focuses or runs a cell. Token colours are CSS variables so light and dark
 * themes both meet contrast (see socketbook.css).
 *
 * It lays code out exactly as the static block it replaces (Starlight's
 * expressive-code, `wrap` with `preserveIndent`): same font, size, line height
 * and padding, long lines wrapped under their own indentation, no line-number
 * gutter. So a cell does not jump when a reader clicks into it (issue 18).
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
  // expressive-code's numbers: line height 1.75, 0.75rem above and below, 1rem on each side
  // (measured where its text starts and wraps; tests/browser/layout-fit.test.ts compares them).
  '.cm-scroller': { lineHeight: '1.75', fontFamily: 'var(--sb-mono)' },
  '.cm-content': { fontFamily: 'var(--sb-mono)', caretColor: 'var(--sl-color-white)', padding: '0.75rem 0' },
  '.cm-line': { padding: '0 1rem' },
  // expressive-code wraps with pre-wrap: a space where a line wraps takes no room, so both break at the same places.
  '.cm-content.cm-lineWrapping': { whiteSpace: 'pre-wrap' },
  '.cm-activeLine': { backgroundColor: 'var(--sb-active-line)' },
  '&.cm-focused': { outline: '2px solid var(--sl-color-accent-high)', outlineOffset: '-2px' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { backgroundColor: 'var(--sb-selection) !important' },
  '.cm-cursor': { borderLeftColor: 'var(--sl-color-white)' },
});

/** Wrapped lines continue under their line's indentation, as expressive-code's `preserveIndent` does. */
function hangingIndents(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const { from, to } of view.visibleRanges) {
    for (let position = from; position <= to; ) {
      const line = view.state.doc.lineAt(position);
      const indent = /^[ \t]*/.exec(line.text)?.[0].length ?? 0;
      if (indent > 0) {
        builder.add(line.from, line.from, Decoration.line({ attributes: { style: `padding-inline-start: calc(1rem + ${String(indent)}ch); text-indent: -${String(indent)}ch` } }));
      }
      position = line.to + 1;
    }
  }
  return builder.finish();
}

const hangingIndent = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = hangingIndents(view);
    }
    update(update: ViewUpdate) {
      if (update.docChanged || update.viewportChanged) this.decorations = hangingIndents(update.view);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

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
        hangingIndent,
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
