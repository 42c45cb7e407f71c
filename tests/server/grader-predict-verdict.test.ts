import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { ECHO_CASES } from '../../src/shared/grading/echo.ts';
import { startWsFixture } from '../fixtures/graded-servers/ws-fixture.ts';
import type { RunningFixture } from '../fixtures/graded-servers/raw-echo.ts';

/** The answer of chapter 12's "Predict the grader's verdict": the names in its solution's `failing`. */
function predictedFailures(): string[] {
  const solution = readFileSync('src/cells/testing/predict-verdict.solution.js', 'utf8');
  const list = /const failing = \[([^\]]*)\]/.exec(solution)?.[1] ?? '';
  return [...list.matchAll(/'([^']+)'/g)].map((match) => match[1] ?? '');
}

describe("chapter 12's predicted verdict, checked by the real grader", () => {
  let server: RunningFixture | null = null;
  afterEach(async () => {
    await server?.close();
  });

  it('the snippet the exercise shows (ws.send(data), maxPayload 65,535) fails exactly the checks its solution names', async () => {
    server = await startWsFixture({ maxPayload: 65_535 }, (wss) => {
      wss.on('connection', (ws) => {
        ws.on('error', () => {});
        ws.on('message', (data: Buffer) => ws.send(data));
      });
    });
    const report = await grade({ url: server.url, suites: ['echo'], answerTimeoutMs: 2_000 });
    const wholeMessage = new Set(ECHO_CASES.map((echoCase) => echoCase.name));
    const failed = report.results.filter((result) => result.verdict === 'fail' && wholeMessage.has(result.name)).map((result) => result.name);
    expect(predictedFailures()).toHaveLength(2);
    expect(failed).toEqual(predictedFailures());
  });
});
