import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ChatConnection } from '../../client/chat-connection.ts';
import { chatUrl } from '../../src/shared/protocol/chat.ts';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';

const JOINED = /^Joined as ([a-z]+-[a-z]+)$/;

/** Message texts in a pane's timeline, in order. */
function texts(pane: Locator): Promise<string[]> {
  return pane.locator('[data-list="timeline"] li[data-kind="message"] .sb-chat-text').allTextContents();
}

/** Notices (joined, resumed, errors) in a pane's timeline. */
function notices(pane: Locator): Promise<string[]> {
  return pane.locator('[data-list="timeline"] li[data-kind="notice"] .sb-chat-notice').allTextContents();
}

/** The status line's text (the role="status" element also holds a coloured dot). */
function statusOf(pane: Locator): Promise<string | null> {
  return pane.getByRole('status').locator('.sb-status-text').textContent();
}

async function nameOf(pane: Locator): Promise<string> {
  const status = pane.getByRole('status').locator('.sb-status-text');
  await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(JOINED);
  return JOINED.exec((await status.textContent()) ?? '')?.[1] ?? '';
}

async function say(page: Page, label: string, text: string): Promise<void> {
  const input = page.getByLabel(label);
  await input.fill(text);
  await input.press('Enter');
}

describe('ChatLab on chapter 6', () => {
  const session = useSiteInBrowser();

  /** Opens the chapter in its own room, so tests do not see each other. */
  async function openLab(room: string) {
    const opened = await newPage(session.browser);
    await opened.page.goto(`${session.running.httpUrl}/chat/?room=${room}`);
    const lab = opened.page.locator('chat-lab');
    await lab.scrollIntoViewIfNeeded();
    const you = lab.locator('[data-participant="first"]');
    const second = lab.locator('[data-participant="second"]');
    return { ...opened, lab, you, second };
  }

  it('joins only when the reader presses Join, loading the chat code then', async () => {
    const { page, requests } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/chat/`);
    const lab = page.locator('chat-lab');
    await lab.scrollIntoViewIfNeeded();
    await page.waitForLoadState('networkidle');
    expect(requests.some((url) => url.includes('/ws/chat/'))).toBe(false);
    expect(requests.some((url) => url.includes('chat-controller'))).toBe(false);
    expect(await lab.locator('[data-participant="first"] .sb-status-text').textContent()).toBe('Not joined yet.');
    await lab.getByRole('button', { name: /^Join room / }).click();
    await expect.poll(() => lab.locator('[data-participant="first"] .sb-status-text').textContent()).toMatch(JOINED);
    expect(requests.some((url) => url.includes('chat-controller'))).toBe(true);
    expect(await lab.getByRole('button', { name: 'Add a second participant' }).isVisible()).toBe(true);
    expect(await lab.getByRole('button', { name: /^Join room / }).isVisible()).toBe(false);
    await page.close();
  });

  it('two participants chat; one disconnects, reconnects and receives exactly the missed messages', async () => {
    const { page, errors, requests, lab, you, second } = await openLab('browser-resume');
    const yourName = await nameOf(you);
    expect(await second.isVisible()).toBe(false);
    await lab.getByRole('button', { name: 'Add a second participant' }).click();
    const secondName = await nameOf(second);
    expect(await lab.locator('[data-action="second"]').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => you.locator('.sb-chat-member-list').textContent()).toBe(`${yourName} (you), ${secondName}`);

    await say(page, 'Your message', 'hello from you');
    await expect.poll(() => texts(second)).toEqual(['hello from you']);
    const line = second.locator('li[data-kind="message"]').first();
    expect(await line.locator('.sb-chat-from').textContent()).toBe(yourName);
    expect(await line.locator('time').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(await line.locator('.sb-chat-id').textContent()).toBe(await you.locator('li[data-kind="message"] .sb-chat-id').first().textContent());

    // Typing shows in the other pane, and stops when the draft is cleared.
    await page.getByLabel("Second participant's message").fill('I am typ');
    await expect.poll(() => you.locator('.sb-chat-typing').textContent()).toBe(`${secondName} is typing…`);
    await page.getByLabel("Second participant's message").fill('');
    await expect.poll(() => you.locator('.sb-chat-typing').textContent()).toBe('');

    await second.getByRole('button', { name: 'Disconnect' }).click();
    await expect.poll(() => statusOf(second)).toBe('Offline: you disconnected. What you send waits until you reconnect.');
    await expect.poll(() => you.locator('.sb-chat-member-list').textContent()).toBe(`${yourName} (you)`);
    await say(page, 'Your message', 'missed one');
    await say(page, 'Your message', 'missed two');
    await expect.poll(() => texts(you)).toEqual(['hello from you', 'missed one', 'missed two']);
    await say(page, "Second participant's message", 'typed while offline');
    expect(await second.locator('[data-list="outbox"] li').textContent()).toBe('typed while offline (waiting to be sent)');
    expect(await second.locator('.sb-chat-outbox').textContent()).toBe('1 message not yet confirmed');
    expect(await texts(second)).toEqual(['hello from you']);

    await second.getByRole('button', { name: 'Reconnect' }).click();
    expect(await nameOf(second)).toBe(secondName);
    await expect.poll(() => texts(second)).toEqual(['hello from you', 'missed one', 'missed two', 'typed while offline']);
    await expect.poll(() => texts(you)).toEqual(['hello from you', 'missed one', 'missed two', 'typed while offline']);
    expect(await notices(second)).toContainEqual(expect.stringMatching(/^Back: resumed after #\d+: 4 events you missed\.$/));
    expect(await second.locator('[data-list="outbox"] li').count()).toBe(0);
    // Every id once, in order, in both panes.
    for (const pane of [you, second]) {
      const ids = (await pane.locator('[data-list="timeline"] li[data-id]').evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.id))));
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    }

    // A member outside the browser is in the same room, and sees the same messages.
    const outsider = await ChatConnection.open(chatUrl(session.running.wsUrl, 'browser-resume'));
    const outsiderName = (await outsider.next('welcome')).you;
    await expect.poll(() => you.locator('.sb-chat-member-list').textContent()).toContain(outsiderName);
    outsider.send({ type: 'say', text: 'hi from a terminal' });
    await expect.poll(async () => (await texts(you)).at(-1)).toBe('hi from a terminal');
    await outsider.close();

    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(session.running.httpUrl) && !url.startsWith(session.running.wsUrl))).toEqual([]);
    await page.close();
  });

  it('shows an HTML payload and a script tag as plain text: no element is created, no dialog opens', async () => {
    const { page, errors, lab, you } = await openLab('browser-xss');
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await nameOf(you);
    await lab.getByRole('button', { name: 'Send an HTML payload' }).click();
    await say(page, 'Your message', '<script>alert(2)</script><b>bold?</b>');
    await expect.poll(() => texts(you)).toEqual(['<img src=x onerror=alert(1)>', '<script>alert(2)</script><b>bold?</b>']);
    expect(await lab.locator('.sb-chat-log img, .sb-chat-log script, .sb-chat-log b').count()).toBe(0);
    // A round trip after the payload: had it run, the dialog would have opened by now.
    await say(page, 'Your message', 'after');
    await expect.poll(async () => (await texts(you)).at(-1)).toBe('after');
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the server refusing a message that names its own sender', async () => {
    const { page, lab, you } = await openLab('browser-spoof');
    await nameOf(you);
    await lab.getByRole('button', { name: 'Post as "teacher"' }).click();
    await expect.poll(() => notices(you)).toContainEqual(
      'field is set by the server, not the client: "from": the server sets the sender, id and time of every message; remove it',
    );
    expect(await texts(you)).toEqual([]);
    await page.close();
  });

  it('closes a flooding participant with 1008 while the other carries on; the server close is named, and the flooder comes back by itself and catches up', async () => {
    const { page, lab, you, second } = await openLab('browser-flood');
    const yourName = await nameOf(you);
    await lab.getByRole('button', { name: 'Add a second participant' }).click();
    const secondName = await nameOf(second);
    // Every status the second pane shows, however briefly: the reconnect takes well under a second.
    await page.evaluate(() => {
      const status = document.querySelector('[data-participant="second"] .sb-status-text');
      const seen: string[] = [];
      Object.assign(window, { secondStatuses: seen });
      if (status !== null) new MutationObserver(() => seen.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
    });
    await second.getByRole('button', { name: 'Flood: send 30 messages at once' }).click();
    await expect.poll(() => notices(second)).toContainEqual(
      'slow down: message dropped, over the rate limit: at most 5 messages a second (bursts of 10); 10 more dropped in a row close the connection',
    );
    const cutOff = /^The server closed the connection with 1008 Policy Violation: "too many messages: over 5 messages a second after a warning"\. Reconnecting in a moment, resuming after #\d+…$/;
    await expect.poll(async () => (await notices(second)).filter((text) => cutOff.test(text))).toHaveLength(1);
    // It comes back by itself, with the name it had, and says what it missed.
    await expect.poll(() => statusOf(second), { timeout: 15_000 }).toBe(`Joined as ${secondName}`);
    const statuses = await page.evaluate(() => (window as unknown as { secondStatuses: string[] }).secondStatuses);
    expect(statuses.filter((text) => cutOff.test(text))).toHaveLength(1);
    expect(statuses.some((text) => text.includes('you disconnected'))).toBe(false);
    expect(await second.getByRole('button', { name: 'Disconnect' }).isVisible()).toBe(true);
    await expect.poll(async () => (await notices(second)).filter((text) => text.startsWith('Back: resumed after #'))).toHaveLength(1);

    await say(page, 'Your message', 'after the flood');
    await expect.poll(async () => (await texts(you)).at(-1)).toBe('after the flood');
    expect(await statusOf(you)).toMatch(JOINED);
    await expect.poll(async () => (await texts(second)).at(-1), { timeout: 15_000 }).toBe('after the flood');
    // The flooder's log holds what the room logged: the same flood messages, no gap, none twice.
    const ids = (pane: Locator) => pane.locator('[data-list="timeline"] li[data-kind="message"]').evaluateAll((items) => items.map((item) => `${(item as HTMLElement).dataset.id ?? ''} ${item.querySelector('.sb-chat-text')?.textContent ?? ''}`));
    const roomLog = await ids(you);
    expect(roomLog.filter((line) => / flood \d+ of 30$/.test(line)).length).toBeGreaterThanOrEqual(10);
    expect(await ids(second)).toEqual(roomLog);
    const members = ((await second.locator('.sb-chat-member-list').textContent()) ?? '').split(', ').sort();
    expect(members).toEqual([yourName, `${secondName} (you)`].sort());
    await page.close();
  });

  it('lists rooms, switches room, refuses a bad room name, and links to the room for another tab', async () => {
    const { page, lab, you } = await openLab('browser-rooms');
    await nameOf(you);
    expect(await lab.getByRole('link', { name: 'Open this room in another tab' }).getAttribute('href')).toBe(`${session.running.httpUrl}/chat/?room=browser-rooms`);
    await lab.getByText('Rooms on this server').click();
    await expect.poll(() => lab.locator('.sb-chat-room-list').textContent()).toContain('browser-rooms: 1 member (this room)');
    const roomInput = page.getByLabel('Switch to room');
    await roomInput.fill('Not A Room');
    await roomInput.press('Enter');
    await expect.poll(() => lab.locator('.sb-chat-room-form [role="alert"]').textContent()).toBe(
      'The room name "Not A Room" is not allowed: use 1 to 32 lowercase letters, digits, "-" or "_", starting with a letter or digit.',
    );
    await roomInput.fill('browser-rooms-2');
    await roomInput.press('Enter');
    await expect.poll(() => lab.locator('.sb-chat-room-name').textContent()).toBe('browser-rooms-2');
    const name = await nameOf(you);
    expect(await notices(you)).toEqual([`Joined room browser-rooms-2 as ${name}.`]);
    expect(await lab.getByRole('link', { name: 'Open this room in another tab' }).getAttribute('href')).toBe(`${session.running.httpUrl}/chat/?room=browser-rooms-2`);
    await page.close();
  });
});
