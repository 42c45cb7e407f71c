import { describe, expect, it } from 'vitest';
import { checkExercise, checkSolution, runAllCells, shownOutputs, useChapterPages } from '../helpers/notebook-page.ts';

describe('notebook cells on chapter 10 (security)', () => {
  const chapter = useChapterPages('security');

  it('sends one byte over the 64 KiB limit and shows the server closing with 1009', async () => {
    const { page, errors } = await chapter.open();
    expect(await page.locator('code-cell').count()).toBe(1);
    const cells = await runAllCells(page);
    expect(await shownOutputs(cells.nth(0))).toEqual(["display'closed with 1009 \"\", clean'"]);
    expect(errors).toEqual([]);
  });
});

/** Each exercise: what Check says about the starter code, and then about the solution. */
const EXERCISES: readonly { id: string; title: string; starter: string; failures: Record<string, string>; solved: string }[] = [
  {
    id: 'origin-allowlist',
    title: 'An Origin allowlist that cannot be fooled',
    starter: '4 of 6 checks failed',
    failures: {
      'refuses look-alike hosts': 'expected isAllowedOrigin("https://evil-app.example.com") to be false, got true: evil-app.example.com is another host, whatever it contains',
      'refuses the listed hosts on other ports': 'expected isAllowedOrigin("http://localhost:8081") to be false, got true: a port is part of the origin: another program (or another student) can serve pages there',
      'refuses http where https is listed, and the reverse': 'expected isAllowedOrigin("http://app.example.com") to be false, got true: a page over plain http can be injected by anyone on the network',
      'refuses suffix and prefix tricks': 'expected isAllowedOrigin("http://localhost.evil.example:8080") to be false, got true: localhost.evil.example is a name anyone can register, not localhost or app.example.com',
    },
    solved: 'All 6 checks passed: exercise solved.',
  },
  {
    id: 'cookie-prediction',
    title: 'Predict which cookies travel',
    starter: '2 of 3 checks failed',
    failures: {
      'from http://127.0.0.1:4413 (another site), in Chromium':
        'expected prediction.crossSite to be ["sb_none"], got ["sb_session","sb_strict","sb_none"]: a WebSocket handshake from another site is not a top-level navigation, so Lax and Strict cookies stay home; SameSite=None is sent cross-site (the hijack lab shows it)',
      'from http://127.0.0.1:4413, with third-party cookies blocked':
        'expected prediction.crossSiteBlocked to be [], got ["sb_session","sb_strict","sb_none"]: blocking third-party cookies withholds the SameSite=None cookie too, and Lax and Strict never went',
    },
    solved: 'All 3 checks passed: exercise solved.',
  },
];

describe('exercises on chapter 10 (security)', () => {
  const chapter = useChapterPages('security');

  it.each(EXERCISES)('"$title": the starter fails with a reason per check; the solution passes', async ({ id, starter, failures, solved }) => {
    const exercise = await chapter.exercise(id);
    const starterOutcome = await checkExercise(exercise);
    expect(starterOutcome.summary).toMatch(new RegExp(`^${starter}`));
    expect(starterOutcome.failures).toEqual(failures);
    expect((await checkSolution(exercise)).summary).toBe(solved);
  });
});
