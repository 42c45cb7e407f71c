import { describe, expect, it } from 'vitest';
import { AsyncFunction } from '../../../../src/notebook/kernel/async-function.ts';
import { transformCell } from '../../../../src/notebook/kernel/transform.ts';


/** Runs cells one after another in one scope, as the kernel does. */
async function runCells(...sources: string[]): Promise<{ scope: Record<string, unknown>; results: unknown[] }> {
  const scope: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const results: unknown[] = [];
  for (const source of sources) {
    const transformed = transformCell(source);
    if (!transformed.ok) throw new Error(transformed.message);
    const cell = new AsyncFunction('__kernel', '__scope', `with (__kernel) with (__scope) {${transformed.code}\n}`);
    results.push(await cell({}, scope));
  }
  return { scope, results };
}

describe('transformCell', () => {
  it('makes top-level const, let and var visible to later cells', async () => {
    const { results } = await runCells('const a = 1; let b = 2; var c = 3;', 'a + b + c');
    expect(results[1]).toBe(6);
  });

  it('lets a cell be re-run: a const can be declared again', async () => {
    const { scope } = await runCells('const socket = 1;', 'const socket = 2;');
    expect(scope.socket).toBe(2);
  });

  it('publishes function declarations, hoisted, and classes', async () => {
    const { results } = await runCells('const x = double(2);\nfunction double(n) { return n * 2; }\nclass Greeter { hi() { return "hi"; } }', 'new Greeter().hi() + x');
    expect(results[1]).toBe('hi4');
  });

  it('handles destructuring with defaults, renames, computed keys and rest', async () => {
    const { scope } = await runCells('const key = "k"; const { a, b: renamed = 5, [key]: fromKey, ...rest } = { a: 1, k: 3, z: 9 }; const [first, , third = 7, ...others] = [1, 2, undefined, 4, 5];');
    expect({ ...scope }).toMatchObject({ a: 1, renamed: 5, fromKey: 3, rest: { z: 9 }, first: 1, third: 7, others: [4, 5] });
  });

  it('returns the value of the last expression, like a notebook Out[n]', async () => {
    expect(transformCell('1 + 1').ok && transformCell('1 + 1')).toMatchObject({ returnsLastExpression: true });
    expect((await runCells('const n = 20;\n(n * 2)')).results[0]).toBe(40);
    expect(transformCell('const n = 1;')).toMatchObject({ returnsLastExpression: false });
  });

  it('supports top-level await', async () => {
    const { scope } = await runCells('const value = await Promise.resolve(42);');
    expect(scope.value).toBe(42);
  });

  it('leaves declarations inside blocks and loops local', async () => {
    const { scope } = await runCells('for (let i = 0; i < 2; i++) { const inner = i; }\nif (true) { let hidden = 1; }');
    expect('i' in scope || 'inner' in scope || 'hidden' in scope).toBe(false);
  });

  it('keeps line numbers: code after a multi-line declaration stays on its line', () => {
    const source = 'const {\n  a,\n  b,\n} = { a: 1, b: 2 };\nthrow new Error("line 5");';
    const transformed = transformCell(source);
    expect(transformed.ok).toBe(true);
    if (transformed.ok) expect(transformed.code.split('\n')[4]).toContain('throw new Error("line 5")');
  });

  it('reports syntax errors with a 1-based line and column', () => {
    expect(transformCell('const a = 1;\nconst = 2;')).toEqual({ ok: false, name: 'SyntaxError', message: 'Unexpected token', line: 2, column: 7 });
  });

  it('explains that import is not available in cells', () => {
    const result = transformCell("import WebSocket from 'ws';");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^import and export are not available in cells/);
  });
});
