import { parse, type Node, type Pattern, type Program, type Statement } from 'acorn';

/**
 * Notebook scope, as in Jupyter: a `const socket` in one cell is visible in
 * the next. Each cell runs as the body of an async function (so top-level
 * `await` works) inside `with (scope)`; top-level declarations are rewritten
 * into assignments to `scope`, so they outlive the function and can be
 * declared again when a cell is re-run. Line numbers are preserved, so error
 * positions point at the reader's code.
 */

export interface TransformedCell {
  readonly ok: true;
  /** The function body to run inside `with (scope) { … }`. */
  readonly code: string;
  /** Top-level names the cell declares. */
  readonly declared: readonly string[];
  /** Whether the code returns the value of its last expression. */
  readonly returnsLastExpression: boolean;
}

export interface CellSyntaxError {
  readonly ok: false;
  readonly name: 'SyntaxError';
  readonly message: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

interface AcornSyntaxError extends SyntaxError {
  loc?: { line: number; column: number };
}

function newlines(text: string): number {
  let count = 0;
  for (const character of text) if (character === '\n') count += 1;
  return count;
}

/** `{ a, b: [c] }` → `{ a: scope.a, b: [scope.c] }`, an assignment target. */
function patternToTarget(pattern: Pattern, source: string, scope: string, declared: string[]): string {
  const slice = (node: Node) => source.slice(node.start, node.end);
  switch (pattern.type) {
    case 'Identifier':
      declared.push(pattern.name);
      return `${scope}.${pattern.name}`;
    case 'ObjectPattern':
      return `{${pattern.properties
        .map((property) => {
          if (property.type === 'RestElement') return `...${patternToTarget(property.argument, source, scope, declared)}`;
          const key = property.computed ? `[${slice(property.key)}]` : slice(property.key);
          return `${key}: ${patternToTarget(property.value, source, scope, declared)}`;
        })
        .join(', ')}}`;
    case 'ArrayPattern':
      return `[${pattern.elements
        .map((element) => (element === null ? '' : patternToTarget(element, source, scope, declared)))
        .join(', ')}]`;
    case 'AssignmentPattern':
      return `${patternToTarget(pattern.left, source, scope, declared)} = ${slice(pattern.right)}`;
    case 'RestElement':
      return `...${patternToTarget(pattern.argument, source, scope, declared)}`;
    case 'MemberExpression':
      return slice(pattern);
  }
}

function rewriteStatement(statement: Statement, source: string, scope: string, declared: string[], hoisted: string[]): Edit[] {
  const slice = (node: Node) => source.slice(node.start, node.end);
  if (statement.type === 'VariableDeclaration') {
    const parts = statement.declarations.map((declarator) => {
      const init = declarator.init === null || declarator.init === undefined ? 'undefined' : slice(declarator.init);
      if (declarator.id.type === 'Identifier') {
        declared.push(declarator.id.name);
        return `${scope}.${declarator.id.name} = ${init}`;
      }
      return `(${patternToTarget(declarator.id, source, scope, declared)} = ${init})`;
    });
    const original = slice(statement);
    let text = `;${parts.join(', ')};`;
    // Keep the line count so later lines keep their numbers.
    text += '\n'.repeat(Math.max(0, newlines(original) - newlines(text)));
    return [{ start: statement.start, end: statement.end, text }];
  }
  if (statement.type === 'FunctionDeclaration') {
    declared.push(statement.id.name);
    hoisted.push(statement.id.name);
    return [];
  }
  if (statement.type === 'ClassDeclaration') {
    declared.push(statement.id.name);
    return [
      { start: statement.start, end: statement.start, text: `;${scope}.${statement.id.name} = ` },
      { start: statement.end, end: statement.end, text: ';' },
    ];
  }
  return [];
}

/**
 * Rewrites a cell's source for the notebook scope named `scope`. Returns a
 * syntax error with its 1-based line and column instead when the code does
 * not parse.
 */
export function transformCell(source: string, scope = '__scope'): TransformedCell | CellSyntaxError {
  let program: Program;
  try {
    program = parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
      locations: true,
    });
  } catch (error) {
    const syntaxError = error as AcornSyntaxError;
    const line = syntaxError.loc?.line ?? 1;
    const column = (syntaxError.loc?.column ?? 0) + 1;
    const message = /'import' and 'export' may appear only/.test(syntaxError.message)
      ? 'import and export are not available in cells: WebSocket, ReconnectingWebSocket (partysocket), SERVER, sleep and display are already defined'
      : syntaxError.message.replace(/ \(\d+:\d+\)$/, '');
    return { ok: false, name: 'SyntaxError', message, line, column };
  }
  const declared: string[] = [];
  const hoisted: string[] = [];
  const edits: Edit[] = [];
  for (const statement of program.body) {
    if (statement.type === 'ImportDeclaration' || statement.type.startsWith('Export')) continue;
    edits.push(...rewriteStatement(statement as Statement, source, scope, declared, hoisted));
  }
  const last = program.body.at(-1);
  const returnsLastExpression = last?.type === 'ExpressionStatement' && last.directive === undefined;
  if (returnsLastExpression) {
    const expression = last.expression;
    edits.push({ start: last.start, end: expression.start, text: 'return (' });
    edits.push({ start: expression.end, end: last.end, text: ');' });
  }
  if (hoisted.length > 0) {
    // Function declarations are hoisted, so they can be published before the first statement runs.
    edits.push({ start: 0, end: 0, text: hoisted.map((name) => `${scope}.${name} = ${name};`).join(' ') });
  }
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let code = '';
  let position = 0;
  for (const edit of edits) {
    code += source.slice(position, edit.start) + edit.text;
    position = edit.end;
  }
  code += source.slice(position);
  return { ok: true, code, declared: [...new Set(declared)], returnsLastExpression };
}
