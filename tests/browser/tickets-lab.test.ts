import type { Locator, Page } from 'playwright-core';
import { describe, expect, it, type ExpectStatic } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';

/** Tickets last 3 s here, so "wait past expiry" takes seconds, not ten. */
const session = useSiteInBrowser({ ticketTtlMs: 3_000 });

/**
 * How long a poll waits for the lab to show the server's answer. The tests share the machine with each
 * other (they run concurrently) and a busy machine can take more than vitest's default second.
 */
const WAIT = { timeout: 10_000 };

interface OpenedTicketsLab {
  readonly page: Page;
  readonly lab: Locator;
  readonly errors: string[];
  /** Every WebSocket URL the page opened, in order. */
  readonly sockets: string[];
  /** Every POST /account/ticket the page made. */
  readonly ticketRequests: () => number;
}

/** Opens chapter 10 and scrolls to the tickets lab, which asks the server who the reader is. */
async function openTicketsLab(expect: ExpectStatic, theme?: 'light' | 'dark'): Promise<OpenedTicketsLab> {
  const { page, errors, requests } = await newPage(session.browser);
  if (theme !== undefined) await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
  const sockets: string[] = [];
  page.on('websocket', (socket) => sockets.push(socket.url()));
  await page.goto(`${session.running.httpUrl}/security/`);
  const lab = page.locator('tickets-lab');
  await lab.scrollIntoViewIfNeeded();
  await expect.poll(() => lab.locator('.sb-tickets-account').textContent(), { timeout: 15_000 }).toBe('Not logged in.');
  const ticketRequests = () => requests.filter((url) => url.endsWith('/account/ticket')).length;
  return { page, lab, errors, sockets, ticketRequests };
}

function statusOf(lab: Locator): Promise<string | null> {
  return lab.locator('.sb-status-text').textContent();
}

async function logIn(expect: ExpectStatic, lab: Locator): Promise<void> {
  await lab.getByLabel('Name').fill('ada');
  await lab.getByRole('button', { name: 'Log in' }).click();
  await expect.poll(() => lab.locator('.sb-tickets-account').textContent(), WAIT).toBe('Logged in as ada (the sb_session cookie).');
}

async function chooseMode(lab: Locator, mode: 'url' | 'message'): Promise<void> {
  await lab.getByLabel(mode === 'url' ? /in the URL/ : /as the first message/).check();
}

async function connectAndWait(expect: ExpectStatic, lab: Locator): Promise<void> {
  await lab.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect.poll(() => statusOf(lab), { timeout: 10_000 }).toMatch(/^Open: authenticated as ada/);
}

function logLines(lab: Locator): Promise<string[]> {
  return lab.locator('.sb-tickets-log li').allTextContents();
}

/** Server log lines that mention the ticket endpoint. */
function serverLines(pattern: string): string[] {
  return session.running.log.filter((line) => line.includes(pattern));
}

describe('TicketsLab on chapter 10', () => {
  // Each of these tests has its own page, cookie and tickets, and spends most of its time waiting on the
  // server's clocks (a ticket's expiry, the 5 s auth timeout, 8 s credentials, 1.5 s of no reconnect),
  // so they wait at the same time. Only the axe test below, which also has a ticket refused in the URL
  // (a 403 the refusals test counts in the server's log), runs on its own.
  it.concurrent('logs in, shows a ticket counting down, connects with it in the URL, reads both channels, and is FORBIDDEN to post to announcements without losing the connection', async ({ expect }) => {
    const { lab, errors, sockets } = await openTicketsLab(expect);
    await logIn(expect, lab);
    await lab.getByRole('button', { name: 'Get a ticket' }).click();
    await expect.poll(() => lab.locator('.sb-tickets-ticket').textContent(), WAIT).toMatch(/^Ticket [A-Za-z0-9_-]{32}: expires in [1-3] s\.$/);
    const ticket = /^Ticket ([A-Za-z0-9_-]{32})/.exec((await lab.locator('.sb-tickets-ticket').textContent()) ?? '')?.[1] ?? '';
    await connectAndWait(expect, lab);
    expect(sockets).toEqual([`${session.running.wsUrl}/ws/account/ticket?ticket=${ticket}&sessionMs=8000`]);
    await expect.poll(() => lab.locator('.sb-tickets-ticket').textContent(), WAIT).toBe(`Ticket ${ticket}: used (one time only).`);

    await lab.getByRole('button', { name: 'Read general' }).click();
    await lab.getByRole('button', { name: 'Read announcements' }).click();
    await expect.poll(() => logLines(lab), WAIT).toContain('← announcements: 1 message: socketbook: Members can read announcements; only staff can post them.');
    await lab.getByRole('button', { name: 'to general' }).click();
    await expect.poll(() => logLines(lab), WAIT).toContain('← posted to general: ada: hello');
    await lab.getByRole('button', { name: 'to announcements' }).click();
    await expect.poll(() => logLines(lab), WAIT).toContain('← error FORBIDDEN: forbidden: members may read announcements but not post to it (the connection stays open)');
    expect(await statusOf(lab)).toMatch(/^Open: authenticated as ada/);
    expect(await lab.getAttribute('data-connection')).toBe('open');

    // The query-string panel shows the request line with the ticket, as an access log would keep it.
    expect(await lab.locator('.sb-tickets-request-line').textContent()).toBe(`GET /ws/account/ticket?ticket=${ticket}&sessionMs=8000 HTTP/1.1`);
    // ...and this server never wrote it down.
    expect(session.running.log.filter((line) => line.includes(ticket))).toEqual([]);

    await lab.getByRole('button', { name: 'Disconnect' }).click();
    await expect.poll(() => statusOf(lab), WAIT).toBe('Closed by you (1000). Not reconnecting: you ended it on purpose.');
    expect(sockets).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it.concurrent('connects with the ticket as the first message: the URL carries none', async ({ expect }) => {
    const { lab, sockets, errors } = await openTicketsLab(expect);
    await logIn(expect, lab);
    await chooseMode(lab, 'message');
    await connectAndWait(expect, lab);
    expect(sockets).toEqual([`${session.running.wsUrl}/ws/account/ticket?sessionMs=8000`]);
    expect((await logLines(lab)).some((line) => /^→ \{"type":"auth","ticket":"[A-Za-z0-9_-]{32}"\}$/.test(line))).toBe(true);
    expect(errors).toEqual([]);
  });

  it.concurrent('refuses a reused, a forged and an expired ticket in the URL at the handshake (409, 403, 410), says the browser hides the status and shows the server\'s record of it, and does not reconnect', async ({ expect }) => {
    const { lab, sockets, errors } = await openTicketsLab(expect);
    await logIn(expect, lab);
    await connectAndWait(expect, lab);
    const cases = [
      { button: 'Reuse the last ticket', status: '409 ticket already used', record: 'HTTP 409, ticket already used' },
      { button: 'A forged ticket', status: '403 unknown ticket', record: 'HTTP 403, unknown ticket' },
      { button: 'Wait past expiry, then connect', status: '410 ticket expired', record: 'HTTP 410, ticket expired' },
    ];
    for (const { button, status, record } of cases) {
      const before = sockets.length;
      const refusedBefore = serverLines(`/ws/account/ticket`).filter((line) => line.includes(status)).length;
      await lab.getByRole('button', { name: button }).click();
      await expect.poll(() => statusOf(lab), { timeout: 15_000 }).toMatch(/^The handshake failed before the connection opened\. The browser reports only an error and 1006; it hides the HTTP status from the page\./);
      // The page cannot see the status, so the lab asks the server's record for this session.
      // The status above may still be the previous case's; the expiry case waits 4 s before it connects.
      await expect.poll(() => statusOf(lab), { timeout: 15_000 }).toContain(`The server's record (GET /account/seen) says: ${record}. Not reconnecting: a refused ticket stays refused.`);
      // The server did refuse it with that status; the page could not see it.
      await expect.poll(() => serverLines('/ws/account/ticket').filter((line) => line.includes(status)).length, WAIT).toBe(refusedBefore + 1);
      // One attempt, and no reconnect after it.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(sockets.length).toBe(before + 1);
    }
    expect(errors).toEqual([]);
  });

  it.concurrent('refuses the same bad tickets as a first message with 4409, 4403, 4410, and silence with 4408, and does not reconnect', async ({ expect }) => {
    const { lab, sockets, errors } = await openTicketsLab(expect);
    await logIn(expect, lab);
    await chooseMode(lab, 'message');
    await connectAndWait(expect, lab);
    const cases = [
      { button: 'Reuse the last ticket', code: '4409 "ticket already used: ' },
      { button: 'A forged ticket', code: '4403 "unknown ticket: ' },
      { button: 'Wait past expiry, then connect', code: '4410 "ticket expired: ' },
      { button: 'Connect and say nothing', code: '4408 "authentication timeout: ' },
    ];
    for (const { button, code } of cases) {
      const before = sockets.length;
      await lab.getByRole('button', { name: button }).click();
      await expect.poll(() => statusOf(lab), { timeout: 15_000 }).toContain(`The server closed with ${code}`);
      expect(await statusOf(lab)).toMatch(/Not reconnecting: .*(refused again|in time)/);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(sockets.length).toBe(before + 1);
    }
    expect(errors).toEqual([]);
  });

  it.concurrent('after 4401 fetches one new ticket and reconnects once per expiry', async ({ expect }) => {
    const { lab, sockets, errors, ticketRequests } = await openTicketsLab(expect);
    await logIn(expect, lab);
    await chooseMode(lab, 'message');
    await connectAndWait(expect, lab);
    expect(ticketRequests()).toBe(1);
    // The credentials last 8 s; then the server closes with 4401 and the lab comes back with a new ticket.
    await expect.poll(() => lab.getAttribute('data-refreshes'), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => statusOf(lab), { timeout: 10_000 }).toBe(
      'Open: authenticated as ada (after refresh 1). In 8 s the server closes with 4401; the lab then fetches a new ticket and reconnects.',
    );
    expect(await logLines(lab)).toContain('The server closed with 4401 Private use: client error "credentials expired: fetch a new ticket".');
    expect(ticketRequests()).toBe(2);
    expect(sockets).toHaveLength(2);
    await lab.getByRole('button', { name: 'Disconnect' }).click();
    await expect.poll(() => statusOf(lab), WAIT).toBe('Closed by you (1000). Not reconnecting: you ended it on purpose.');
    expect(errors).toEqual([]);
  });

  it('has no axe violations in the lab with a log, a refusal and the query-string panel showing, in light and dark themes', async () => {
    const { page, lab } = await openTicketsLab(expect, 'light');
    await logIn(expect, lab);
    await connectAndWait(expect, lab);
    await lab.getByRole('button', { name: 'to announcements' }).click();
    await expect.poll(() => logLines(lab), WAIT).toContain('← error FORBIDDEN: forbidden: members may read announcements but not post to it (the connection stays open)');
    await lab.getByRole('button', { name: 'A forged ticket' }).click();
    await expect.poll(() => statusOf(lab), WAIT).toContain("The server's record (GET /account/seen) says: HTTP 403, unknown ticket.");
    await lab.getByText('Why not put tokens in the query string?').click();
    // The whole page, this time with the lab in states that a11y.test.ts never reaches; then the same
    // states in the other theme, switched as a reader does (Starlight's theme select), not reloaded.
    expect(await axeViolations(page), 'light').toEqual([]);
    await page.getByRole('combobox', { name: 'Select theme' }).selectOption('dark');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await axeViolations(page), 'dark').toEqual([]);
    await page.context().close();
  });
});
