import { describe, expect, it } from 'vitest';
import { checkExercise, checkSolution, replaceCode, runAllCells, shownOutputs, useChapterPages } from '../helpers/notebook-page.ts';

describe('notebook cells on chapter 6 (chat)', () => {
  const chapter = useChapterPages('chat');

  it('runs all five cells against the real server: join, spoof, say twice, resume, flood', async () => {
    const { page, errors } = await chapter.open();
    expect(await page.locator('code-cell').count()).toBe(5);
    const cells = await runAllCells(page);

    const joined = await shownOutputs(cells.nth(0));
    const intro = /^display'you are ([a-z]+-[a-z]+) in (notebook-[0-9a-f]{8}); last event #1, epoch [a-z0-9]+'$/.exec(joined[0] ?? '');
    expect(intro, joined.join('\n')).not.toBeNull();
    const [, name, room] = intro ?? [];
    expect(joined.slice(1)).toEqual([`display(1) ["${String(name)}"]`, 'Out[1]{maxTextChars: 1000, messagesPerSecond: 5, burstMessages: 10, …}']);

    expect(await shownOutputs(cells.nth(1))).toEqual([
      "display'SPOOFED_FIELD'",
      `Out[2]'field is set by the server, not the client: "from": the server sets the sender, id and time of every message; remove it'`,
    ]);

    expect(await shownOutputs(cells.nth(2))).toEqual([
      `display'#2 ${String(name)}: Hello from a cell'`,
      'display{id: 2, recipients: 1, duplicate: false}',
      'display{id: 2, recipients: 1, duplicate: true}',
      'Out[3]1',
    ]);

    const resumed = await shownOutputs(cells.nth(3));
    const other = /^display'#4 joined: ([a-z]+-[a-z]+)'$/.exec(resumed[3] ?? '')?.[1];
    expect(other, resumed.join('\n')).toBeDefined();
    expect(resumed).toEqual([
      `display'back as ${String(name)}, after #2'`,
      "display'resumed after #2: 5 events you missed'",
      `display'#3 left: ${String(name)}'`,
      `display'#4 joined: ${String(other)}'`,
      `display'#5 ${String(other)}: You missed this'`,
      `display'#6 ${String(other)}: And this'`,
      `display'#7 joined: ${String(name)}'`,
      "Out[4]'complete'",
    ]);

    const flooded = await shownOutputs(cells.nth(4));
    // The bucket refills while the thirty arrive, so on a busy machine a few more than the burst may pass.
    expect(flooded[0]).toMatch(/^display'1\d of 30 reached the room'$/);
    expect(flooded.slice(1)).toEqual([
      "display'RATE_WARNING: slow down: message dropped, over the rate limit: at most 5 messages a second (bursts of 10); 10 more dropped in a row close the connection'",
      "display'closed with 1008: too many messages: over 5 messages a second after a warning'",
      'Out[5]1',
    ]);
    // The server saw the flooder cut off and nobody else.
    const closes = () => chapter.session.running.log.filter((line) => line.includes(`/ws/chat/${String(room)} `) && line.includes(' close '));
    await expect.poll(closes).toEqual([expect.stringContaining('1000 "going offline" by client'), expect.stringContaining('1008 "too many messages')]);
    expect(errors).toEqual([]);
  });
});

describe('exercises on chapter 6 (chat)', () => {
  const chapter = useChapterPages('chat');

  it('"Say hello, and know who is here": the starter sends nothing; the solution passes', async () => {
    const helloMembers = await chapter.exercise('hello-members');
    const starter = await checkExercise(helloMembers);
    expect(starter.summary).toMatch(/^5 of 6 checks failed/);
    expect(starter.failures['says "hello" to the room']).toBe('expected your code to send a say message, but it sent nothing');
    expect(starter.failures['`members` starts from the welcome']).toMatch(/^expected members to include your own name "[a-z]+-[a-z]+" \(the welcome lists you\), got \[\]$/);

    expect((await checkSolution(helloMembers)).summary).toBe('All 6 checks passed: exercise solved.');
    expect(await helloMembers.locator('.sb-solved').isVisible()).toBe(true);
  });

  it('"Say hello, and know who is here": a plain-text hello, and a list that ignores joins, get their own reasons', async () => {
    const helloMembers = await chapter.exercise('hello-members');
    const code = (say: string) =>
      [
        'const room = `practice-${crypto.randomUUID().slice(0, 8)}`;',
        'const socket = new WebSocket(`${SERVER}/ws/chat/${room}`);',
        'let members = [];',
        'socket.onmessage = (event) => {',
        '  const message = JSON.parse(event.data);',
        `  if (message.type === 'welcome') { members = message.members; socket.send(${say}); }`,
        '};',
      ].join('\n');
    await replaceCode(helloMembers, code("'hello'"));
    const plainText = await checkExercise(helloMembers);
    expect(plainText.failures['says "hello" to the room']).toBe('expected a JSON message like {"type":"say","text":"hello"}, got "hello"');
    expect(plainText.failures['`members` starts from the welcome']).toBeUndefined();

    await replaceCode(helloMembers, code("JSON.stringify({ type: 'say', text: 'hello' })"));
    const noJoins = await checkExercise(helloMembers);
    expect(noJoins.summary).toMatch(/^2 of 6 checks failed/);
    expect(noJoins.failures['`members` adds whoever joins']).toMatch(
      /^expected members to include "[a-z]+-[a-z]+", who joined after you, got \["[a-z]+-[a-z]+"\]: handle the "joined" message$/,
    );
    expect(noJoins.failures['`members` drops whoever leaves']).toMatch(/^"[a-z]+-[a-z]+" never appeared in members, so there is no leaving to see: fix the check above first$/);
  });

  it('"Catch up from a last id": the starter returns everything and ignores the epoch; the solution passes', async () => {
    const catchUp = await chapter.exercise('catch-up');
    const starter = await checkExercise(catchUp);
    expect(starter.summary).toMatch(/^3 of 5 checks failed/);
    // The checker's room has joined #1, "x" #2, "y" #3, then a, b, c: lastId is 3.
    expect(starter.failures['resolves with exactly the messages after lastId, in order']).toBe(
      'expected ["a","b","c"], got ["x","y","a","b","c"]: messages up to #3, which this member had seen, came back too',
    );
    expect(starter.failures['asks the server for what came after lastId, in that epoch']).toMatch(
      /^expected catchUp to connect with \?since=3&epoch=[a-z0-9]+ in the URL, so the server sends only what came after #3; it connected to ws:\/\/[\d.:]+\/ws\/chat\/catch-up-[0-9a-f]{8}$/,
    );
    expect(starter.failures['rejects when the ids belong to an earlier life of the room']).toMatch(
      /^expected catchUp\("catch-up-[0-9a-f]{8}", 3, "stale0epoch"\) to reject, because the welcome's resume status is "reset" and what was missed cannot be known; it resolved with \["x","y","a","b","c"\]$/,
    );

    expect((await checkSolution(catchUp)).summary).toBe('All 5 checks passed: exercise solved.');
  });
});
