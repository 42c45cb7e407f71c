import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { useSiteInBrowser } from '../helpers/browser.ts';
import { offOrigin, openLab } from '../helpers/lab-page.ts';

/** The rows of a frame's field table as `{ field: [bits, value, meaning] }`. */
async function fields(frame: Locator): Promise<Record<string, string[]>> {
  const rows = await frame.locator('.sb-frame-fields tbody tr').evaluateAll((elements) =>
    elements.map((row) => [...row.children].map((cell) => cell.textContent)),
  );
  return Object.fromEntries(rows.map(([name, ...rest]) => [name ?? '', rest]));
}

/** A row of the first unmasking table, by its header. */
async function unmaskRow(frame: Locator, header: string): Promise<string[]> {
  return frame.locator('.sb-unmask-table').first().locator('tr', { has: frame.page().locator(`th:text-is("${header}")`) }).locator('td').allTextContents();
}

describe('FrameLab on chapter 3', () => {
  const suite = useSiteInBrowser();

  const open = (theme?: 'light' | 'dark') => openLab(suite, '/frames/', 'frame-lab', (lab) => expect.poll(() => lab.getByRole('status').textContent()).toContain('Not connected yet: the lab connects when you use it.'), theme);

  async function send(lab: Locator, text: string, kind: 'Text' | 'Binary', size: string): Promise<Locator> {
    await lab.getByLabel('Message', { exact: true }).fill(text);
    await lab.getByLabel(kind).check();
    await lab.getByLabel('Size').selectOption(size);
    const before = await lab.locator('.sb-frame-entry[data-status]').count();
    await lab.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => lab.locator('.sb-frame-entry[data-status="echoed"]').count(), { timeout: 20_000 }).toBe(before + 1);
    return lab.locator('.sb-frame-entry[data-status="echoed"]').first();
  }

  it('shows the masked frame the browser sent, unmasks it, and shows the unmasked reply beside it', async () => {
    const { page, lab, errors, requests } = await open();
    // It connects on first use, so a reader who only reads loads no socket code.
    expect(requests.filter((url) => url.includes('/ws/inspect') || url.includes('frames-view'))).toEqual([]);
    const entry = await send(lab, 'Hello', 'Text', 'typed');
    expect(requests.some((url) => url.includes('frames-view'))).toBe(true);
    expect(await lab.getByRole('status').textContent()).toContain('Open: connected to');
    const sent = entry.locator('.sb-frame[data-direction="up"]');
    expect(await sent.count()).toBe(1);
    expect(await sent.locator('.sb-frame-title').textContent()).toBe('browser → server: text, 6-byte header + 5-byte payload');
    const bytes = await sent.locator('.sb-byte').allTextContents();
    expect(bytes.slice(0, 2)).toEqual(['81', '85']);
    expect(await sent.locator('.sb-byte[data-field="key"]').count()).toBe(4);
    const sentFields = await fields(sent);
    expect(sentFields.FIN).toEqual(['1', '1', 'the last frame of its message']);
    expect(sentFields.Opcode?.slice(0, 2)).toEqual(['0001', '0x1']);
    expect(sentFields.MASK?.slice(0, 2)).toEqual(['1', '1']);
    expect(sentFields['Payload length']?.slice(0, 2)).toEqual(['0000101', '5']);
    const key = (sentFields['Masking key']?.[0] ?? '').split(' ').map((byte) => parseInt(byte, 16));
    const asSent = (await unmaskRow(sent, 'Sent')).map((byte) => parseInt(byte, 16));
    const payload = await unmaskRow(sent, 'XOR');
    expect(payload).toEqual(['48', '65', '6c', '6c', '6f']);
    expect(asSent.map((byte, index) => (byte ^ (key[index % 4] ?? 0)).toString(16))).toEqual(payload);
    expect(await unmaskRow(sent, 'Char')).toEqual(['H', 'e', 'l', 'l', 'o']);

    const reply = entry.locator('.sb-frame[data-direction="down"]');
    expect(await reply.locator('.sb-byte').allTextContents()).toEqual(['81', '05', '48', '65', '6c', '6c', '6f']);
    expect((await fields(reply)).MASK).toEqual(['0', '0', 'not masked: servers never mask']);
    expect(await entry.locator('.sb-frame-status').textContent()).toBe('Echo received: identical to what was sent ✓');

    const pong = lab.locator('.sb-frame-entry', { hasText: 'Your browser sent a pong by itself' });
    // The pong may arrive just before or just after the message, so wait for it.
    await expect.poll(() => pong.count()).toBe(1);
    expect(await pong.locator('.sb-frame-title').textContent()).toBe('browser → server: pong, 6-byte header + 7-byte payload');
    expect(errors).toEqual([]);
    expect(offOrigin(suite, requests)).toEqual([]);
    await page.close();
  });

  it('uses the 16-bit length over 125 bytes and the 64-bit length over 65,535', async () => {
    const { page, lab } = await open();
    const medium = await send(lab, 'ab', 'Text', '200');
    const mediumFrame = medium.locator('.sb-frame[data-direction="up"]');
    expect(await mediumFrame.locator('.sb-frame-title').textContent()).toBe('browser → server: text, 8-byte header + 200-byte payload');
    expect((await fields(mediumFrame))['Payload length']).toEqual(['1111110 00000000 11001000', '200', '126 in the 7-bit field: the real length is in the next 2 bytes (126–65,535)']);

    const large = await send(lab, 'xyz', 'Binary', '70000');
    const largeFrames = large.locator('.sb-frame[data-direction="up"]');
    const titles = await largeFrames.locator('.sb-frame-title').allTextContents();
    expect(titles[0]).toMatch(/^browser → server: binary/);
    expect(await large.locator('.sb-frame[data-direction="down"] .sb-frame-title').textContent()).toBe('server → browser: binary, 10-byte header + 70,000-byte payload');
    const replyFields = await fields(large.locator('.sb-frame[data-direction="down"]'));
    expect(replyFields['Payload length']?.[2]).toBe('127 in the 7-bit field: the real length is in the next 8 bytes (over 65,535)');
    expect(await large.locator('.sb-frame[data-direction="down"] .sb-frame-more').textContent()).toBe('… and 69,936 more payload bytes');
    await page.close();
  });

  it('shows every frame of a 1 MiB message, whose payloads add up to the message', async () => {
    const { page, lab } = await open();
    const entry = await send(lab, 'Hello', 'Text', '1048576');
    const titles = await entry.locator('.sb-frame[data-direction="up"] .sb-frame-title').allTextContents();
    const lengths = titles.map((title) => Number((/\+ ([\d,]+)-byte payload/.exec(title)?.[1] ?? '0').replaceAll(',', '')));
    expect(lengths.reduce((sum, length) => sum + length, 0)).toBe(1_048_576);
    if (titles.length > 1) {
      expect(titles[0]).toMatch(/^browser → server: text, frame 1 of \d+/);
      expect(titles.slice(1).every((title) => title.startsWith('browser → server: continuation'))).toBe(true);
    }
    await page.close();
  });

  it('has no axe violations with frames shown, in light and dark themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { page, lab } = await open(theme);
      await send(lab, 'Hello', 'Text', '200');
      await page.locator('duplex-timeline').scrollIntoViewIfNeeded();
      await expect.poll(() => page.locator('duplex-timeline svg[data-part="duplex"] line.sb-tl-message').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      expect(await axeViolations(page), theme).toEqual([]);
      await page.close();
    }
  });

  it('sends with the keyboard alone', async () => {
    const { page, lab } = await open();
    const input = lab.getByLabel('Message', { exact: true });
    await input.fill('keys');
    await input.press('Enter');
    await expect.poll(() => lab.locator('.sb-frame-summary').textContent()).toBe(
      'Latest: your 4 B text message went out in 1 frame. Echo received: identical to what was sent ✓',
    );
    await page.close();
  });
});
