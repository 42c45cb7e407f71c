import { describe, expect, it } from 'vitest';
import { axeProblems, checkExercise, checkSolution, runAllCells, shownOutputs, useChapterPages } from '../helpers/notebook-page.ts';

describe('chapter 11 (scaling out)', () => {
  const chapter = useChapterPages('scaling');

  it('renders the chapter with the cluster nginx config from the repository and the Lua script that logs and publishes', async () => {
    const { page, errors } = await chapter.open();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Scaling out');
    const code = await page.locator('.expressive-code').allTextContents();
    expect(code.some((text) => text.includes('proxy_http_version 1.1;') && text.includes('map $http_upgrade $connection_upgrade'))).toBe(true);
    expect(code.some((text) => text.includes("redis.call('XADD', KEYS[2], 'MAXLEN', '~'") && text.includes("redis.call('PUBLISH'"))).toBe(true);
    expect(await page.locator('code-cell').count()).toBe(3);
    expect(await page.locator('notebook-exercise').count()).toBe(3);
    expect(errors).toEqual([]);
  });

  it('runs the three cells against the real server: a 1012 and a resume, a herd counted, the metrics read', async () => {
    const { page, errors } = await chapter.open();
    const cells = await runAllCells(page, 30_000);

    const restart = await shownOutputs(cells.nth(0));
    expect(restart[0]).toBe("display'closed: 1012 service restart: reconnect and resume, on another instance if you have one: restartAfterMs=1500'");
    expect(restart[1]).toMatch(/^display'resumed after #\d+: \d+ events? you missed'$/);
    expect(restart.some((row) => /^display'#\d+ [a-z]+-[a-z]+: sent during the restart'$/.test(row))).toBe(true);
    expect(restart.at(-1)).toBe("Out[1]'complete'");

    const herd = await shownOutputs(cells.nth(1));
    const busiest = herd.filter((row) => row.includes('busiest')).map((row) => Number(/has (\d+) handshakes/.exec(row)?.[1]));
    expect(busiest).toHaveLength(3);
    // No jitter: all 1,000 in one slot; full jitter: about 100 per slot.
    expect(busiest[0]).toBe(1000);
    expect(busiest[2]).toBeLessThan(200);

    const metrics = await shownOutputs(cells.nth(2));
    expect(metrics).toContain('display\'socketbook_connections{endpoint="/ws/chat/:room"} 2\'');
    expect(metrics.some((row) => /^display'socketbook_messages_sent_total\{endpoint="\/ws\/chat\/:room"\} \d+'$/.test(row))).toBe(true);
    expect(metrics.some((row) => /^display'socketbook_chat_broker_seconds_count\{broker="memory",operation="say"\} [1-9]\d*'$/.test(row))).toBe(true);
    expect(metrics.some((row) => /^display'process_open_fds \d+'$/.test(row))).toBe(true);
    expect(metrics.at(-1)).toBe('Out[3]200');
    expect(errors).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);
  });

  it('fan-out: the once-per-member starter fails, the once-per-instance solution passes', async () => {
    const exercise = await chapter.exercise('fan-out');
    const starter = await checkExercise(exercise);
    expect(starter.summary).toBe('3 of 4 checks failed. Fix the code and press Check again.');
    expect(starter.failures['sends one message to each instance with members in the room, however many it has']).toBe(
      'expected redisMessagesForPost({"a":{"lobby":3},"b":{"lobby":1,"games":2},"c":{}}, "lobby") to be 3, got 4: that is one message per member. Redis publishes to instances, and each instance hands the post to its own members',
    );
    expect((await checkSolution(exercise)).summary).toBe('All 4 checks passed: exercise solved.');
  });

  it('spread the herd: the fixed delay fails every check, full jitter passes', async () => {
    const exercise = await chapter.exercise('spread-herd');
    const starter = await checkExercise(exercise);
    expect(starter.summary).toBe('5 of 5 checks failed. Fix the code and press Check again.');
    expect(starter.failures['spreads 10,000 clients closed at once over the whole first second']).toBe(
      'expected at most about 1,000 handshakes in any 100 ms, got 10000 between 1000 and 1100 ms: the instances that are left take them all at once',
    );
    expect((await checkSolution(exercise)).summary).toBe('All 5 checks passed: exercise solved.');
  });

  it('failover: the starter reconnects to the restarting instance and loses what was said meanwhile; the solution moves on and resumes by id', async () => {
    const exercise = await chapter.exercise('failover');
    const starter = await checkExercise(exercise, 60_000);
    expect(starter.summary).toBe('3 of 6 checks failed. Fix the code and press Check again.');
    expect(starter.failures['after the server closes with 1012, connects to the next URL']).toMatch(
      /^expected the new connection to go to the next URL, urls\[1\] \(\?instance=b\): that instance is up, the first is restarting; it went to ws:\/\/127\.0\.0\.1:\d+\/ws\/chat\/follow-[0-9a-f]{8}\?restartAfterMs=1500$/,
    );
    expect(starter.failures['hands every message to onMessage once, in id order, across the restart']).toBe(
      'expected "two" and "three", posted while you were reconnecting, to come in the new welcome\'s history; onMessage got ["one","four"]',
    );
    const solution = await checkSolution(exercise, 60_000);
    expect(solution.summary).toBe('All 6 checks passed: exercise solved.');
  });
});
