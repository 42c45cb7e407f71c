import { describe, expect, it } from 'vitest';
import { checkExercise, checkSolution, useChapterPages } from '../helpers/notebook-page.ts';

describe('chapter 12 (your own server, tested)', () => {
  const chapter = useChapterPages('testing');

  it('renders the chapter with the examples and a server test imported from the repository, and the panel', async () => {
    const { page, errors } = await chapter.open();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your own server, tested');
    const code = await page.locator('.expressive-code').allTextContents();
    expect(code.some((text) => text.includes('examples/node-echo-chat/solution.js') && text.includes('new WebSocketServer({ noServer: true'))).toBe(true);
    expect(code.some((text) => text.includes('tests/server/chat-close-race.test.ts') && text.includes("broadcasts a say that arrives together with the close frame"))).toBe(true);
    expect(await page.locator('check-server-lab').count()).toBe(1);
    expect(await page.locator('notebook-exercise').count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('predict the verdict: the empty prediction fails both checks, the solution passes', async () => {
    const exercise = await chapter.exercise('predict-verdict');
    const starter = await checkExercise(exercise);
    expect(starter.summary).toBe('1 of 2 checks failed. Fix the code and press Check again.');
    expect(starter.failures['names every check this server fails']).toBe(
      '"echoes a text message as text, byte for byte" fails too: ws.send(data) with a Buffer sends a binary frame (opcode 0x2) unless given { binary: false }, so the text comes back as binary',
    );
    expect((await checkSolution(exercise)).summary).toBe('All 2 checks passed: exercise solved.');
  });

  it('echo reply: the starter sends text back as binary, the solution keeps the type', async () => {
    const exercise = await chapter.exercise('echo-reply');
    const starter = await checkExercise(exercise);
    expect(starter.summary).toBe('2 of 3 checks failed. Fix the code and press Check again.');
    expect(starter.failures['echoes a text message as text, byte for byte']).toBe(
      'the text message goes back as binary: ws.send() sends bytes as a binary frame unless options.binary is false. The grader and the panel see "got back a binary … the echo must keep the opcode"',
    );
    expect((await checkSolution(exercise)).summary).toBe('All 3 checks passed: exercise solved.');
  });
});
