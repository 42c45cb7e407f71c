import { describe, it } from 'vitest';
import { useSiteInBrowser } from '../helpers/browser.ts';
import { checkExercise, checkSolution, openExercise, replaceCode } from '../helpers/notebook-page.ts';

/** Each ticket exercise of chapter 10: what Check says about the starter code, and then about the solution. */
const EXERCISES: readonly { id: string; title: string; starter: string; failures: Record<string, string | RegExp>; solved: string }[] = [
  {
    id: 'ticket-connect',
    title: 'Get a ticket and connect',
    starter: '4 of 4 checks failed',
    failures: {
      'carries a ticket: in the URL, or as the first message': /^expected \?ticket= in the URL or \{"type":"auth","ticket":"…"\} as the first message; the URL is ws:\/\/127\.0\.0\.1:\d+\/ws\/account\/ticket and the first message was never sent$/,
      'the server welcomed it: the ticket was real': 'expected a welcome message, but the server closed it with 4408 "authentication timeout: no auth message within 5 s"',
      'reads the general channel after the welcome': 'there is no welcome yet: fix the check above first',
      'the ticket is spent: the server refuses it a second time (4409)': 'there is no accepted ticket to try again: fix the checks above first',
    },
    solved: 'All 4 checks passed: exercise solved.',
  },
  {
    id: 'ticket-refresh',
    title: 'Refresh on 4401, stop on a refusal',
    starter: '2 of 4 checks failed',
    failures: {
      'stops after a forged ticket is refused (4403)':
        /^after the server closed with 4403 "unknown ticket: forged, or not issued by this server: [^"]*", your code connected again (once|\d times) within 2\.5 s: a refused ticket is refused again, so stop$/,
      'stops after a used ticket is refused (4409)': /^after the server closed with 4409 "ticket already used: [^"]*", your code connected again (once|\d times) within 2\.5 s: a refused ticket is refused again, so stop$/,
    },
    solved: 'All 4 checks passed: exercise solved.',
  },
];

/**
 * Each test checks in its own page (its own login cookie and tickets), and the checks spend their time
 * on the server's clocks (the 5 s auth timeout, credentials that expire, 2.5 s of watching for a
 * reconnect): the tests wait at the same time.
 */
describe.concurrent('ticket exercises on chapter 10 (security)', () => {
  const session = useSiteInBrowser();
  const open = (id: string) => openExercise(session.browser, `${session.running.httpUrl}/security/`, 'security', id);

  it.for(EXERCISES)('"$title": the starter fails with a reason per check; the solution passes', async ({ id, starter, failures, solved }, { expect }) => {
    const { page, exercise } = await open(id);
    const starterOutcome = await checkExercise(exercise, undefined, expect);
    expect(starterOutcome.summary).toMatch(new RegExp(`^${starter}`));
    expect(Object.keys(starterOutcome.failures)).toEqual(Object.keys(failures));
    for (const [name, reason] of Object.entries(failures)) {
      if (typeof reason === 'string') expect(starterOutcome.failures[name], name).toBe(reason);
      else expect(starterOutcome.failures[name], name).toMatch(reason);
    }
    expect((await checkSolution(exercise, undefined, expect)).summary).toBe(solved);
    await page.context().close();
  });

  it('"Refresh on 4401, stop on a refusal": code that never reconnects fails the refresh check', async ({ expect }) => {
    const { page, exercise } = await open('ticket-refresh');
    await replaceCode(
      exercise,
      [
        'function stayAuthenticated(getTicket, url) {',
        '  getTicket().then((ticket) => {',
        '    const socket = new WebSocket(url);',
        "    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', ticket })));",
        '  });',
        '}',
      ].join('\n'),
    );
    const outcome = await checkExercise(exercise, undefined, expect);
    expect(outcome.failures).toEqual({
      'after 4401, gets a new ticket and is welcomed again': 'expected your code to connect again after 4401, but it opened no new connection within 3 s',
    });
    await page.context().close();
  });

  it('"Refresh on 4401, stop on a refusal": reconnecting with the same ticket is caught', async ({ expect }) => {
    const { page, exercise } = await open('ticket-refresh');
    await replaceCode(
      exercise,
      [
        'async function stayAuthenticated(getTicket, url) {',
        '  const ticket = await getTicket();',
        '  const connect = (retry) => {',
        '    const socket = new WebSocket(url);',
        "    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', ticket })));",
        "    socket.addEventListener('close', (event) => { if (event.code === 4401 && retry) connect(false); });",
        '  };',
        '  connect(true);',
        '}',
      ].join('\n'),
    );
    const outcome = await checkExercise(exercise, undefined, expect);
    expect(outcome.failures['after 4401, gets a new ticket and is welcomed again']).toMatch(
      /^your code reconnected with the same ticket, and the server closed with 4409 "ticket already used: [^"]*": call getTicket\(\) again for each connection$/,
    );
    await page.context().close();
  });
});
