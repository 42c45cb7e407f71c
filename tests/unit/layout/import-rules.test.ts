import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layout's import rules (eslint.config.js), run by ESLint itself on
 * source text placed at a real file's path: who may import what.
 */
const eslint = new ESLint({
  // Only the import rule runs, so the parser needs no type information: no TypeScript program to build.
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('import rules', { timeout: 60_000 }, () => {
  it('let the server, the client, the grader and the benchmarks import src/shared/ and nothing else of src/', async () => {
    expect(await restrictedImports('demo-server/main.ts', "import { SOCKET_ERRORS } from '../src/shared/protocol/errors.ts';\nexport { SOCKET_ERRORS };\n")).toEqual([]);
    expect(await restrictedImports('demo-server/main.ts', "import { EchoStore } from '../src/labs/echo/store.ts';\nexport { EchoStore };\n")).toEqual([
      "'../src/labs/echo/store.ts' import is restricted from being used by a pattern. The server, client, grader and benchmarks may import only src/shared/ from src/: move what both sides need there.",
    ]);
    expect(await restrictedImports('client/main.ts', "import { pageServer } from '../src/labs/kit/page-server.ts';\nexport { pageServer };\n")).toHaveLength(1);
    expect(await restrictedImports('bench/main.ts', "import { chapters } from '../src/site/chapters.ts';\nexport { chapters };\n")).toHaveLength(1);
    expect(await restrictedImports('grader/main.ts', "import { pageServer } from '../src/labs/kit/page-server.ts';\nexport { pageServer };\n")).toHaveLength(1);
    expect(await restrictedImports('grader/main.ts', "import { computeAccept } from '../src/shared/handshake.ts';\nexport { computeAccept };\n")).toEqual([]);
  });

  it('keep src/shared/ free of Node, of the page features and of the server', async () => {
    expect(await restrictedImports('src/shared/format.ts', "import { readFile } from 'node:fs/promises';\nexport { readFile };\n")).toEqual(["'node:fs/promises' import is restricted from being used by a pattern. src/shared/ runs in browsers too: no Node modules."]);
    expect(await restrictedImports('src/shared/format.ts', "import { EchoStore } from '../labs/echo/store.ts';\nexport { EchoStore };\n")).toHaveLength(1);
    expect(await restrictedImports('src/shared/format.ts', "import { log } from '../../demo-server/http/log.ts';\nexport { log };\n")).toHaveLength(1);
    expect(await restrictedImports('src/shared/format.ts', "import { closeInfoOf } from './socket-like.ts';\nexport { closeInfoOf };\n")).toEqual([]);
  });

  it('keep labs apart: a lab imports the kit and the shared core, not another lab', async () => {
    expect(await restrictedImports('src/labs/handshake/store.ts', "import { EchoStore } from '../echo/store.ts';\nexport { EchoStore };\n")).toEqual([
      "'../echo/store.ts' import is restricted from being used by a pattern. One lab may not import another: move the shared part to src/labs/kit/ or src/shared/.",
    ]);
    expect(await restrictedImports('src/labs/handshake/store.ts', "import { part } from '../kit/dom.ts';\nimport { closeInfoOf } from '../../shared/socket-like.ts';\nexport { part, closeInfoOf };\n")).toEqual([]);
  });
});
