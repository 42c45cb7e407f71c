import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliOptions } from '../../../demo-server/flags.ts';
import { resolveOptions } from '../../../demo-server/options.ts';
import { resolveClassroomOptions, teacherTokenIn } from '../../../demo-server/routes/classroom/options.ts';
import { bounded, csvCell } from '../../../demo-server/routes/classroom/store.ts';
import { TEACHER_TOKEN_PATTERN } from '../../../src/shared/protocol/classroom.ts';

describe('class mode flags (parseCliOptions)', () => {
  it('is off on a loopback host and on by itself on a LAN host, in .socketbook-data', () => {
    expect(parseCliOptions([], {}).classroom).toBeNull();
    expect(parseCliOptions(['--host', 'localhost'], {}).classroom).toBeNull();
    expect(parseCliOptions(['--host', '0.0.0.0'], {}).classroom).toEqual({ dataDir: '.socketbook-data', hideSolutions: false });
    expect(parseCliOptions(['--host', '192.168.1.20'], {}).classroom).toEqual({ dataDir: '.socketbook-data', hideSolutions: false });
  });

  it('follows --classroom and --no-classroom (or CLASSROOM=1/0) over the host', () => {
    expect(parseCliOptions(['--classroom', '--data-dir', 'class-a', '--hide-solutions'], {}).classroom).toEqual({ dataDir: 'class-a', hideSolutions: true });
    expect(parseCliOptions(['--host', '0.0.0.0', '--no-classroom'], {}).classroom).toBeNull();
    expect(parseCliOptions([], { CLASSROOM: '1', DATA_DIR: 'from-env' }).classroom).toEqual({ dataDir: 'from-env', hideSolutions: false });
    expect(parseCliOptions(['--host', '0.0.0.0'], { CLASSROOM: '0' }).classroom).toBeNull();
    expect(() => parseCliOptions([], { CLASSROOM: 'yes' })).toThrow('CLASSROOM must be 1 (on) or 0 (off), got "yes"');
  });

  it('refuses class-mode flags when class mode is off, rather than ignoring them', () => {
    expect(() => parseCliOptions(['--data-dir', 'x'], {})).toThrow('--data-dir is for class mode: add --classroom (it is off on a loopback --host)');
    expect(() => parseCliOptions(['--hide-solutions'], {})).toThrow('--hide-solutions is for class mode: add --classroom (it is off on a loopback --host)');
  });
});

describe('class mode options', () => {
  it('refuses a weak or malformed teacher token', () => {
    expect(() => resolveOptions({ classroom: { dataDir: 'x', teacherToken: 'secret' } })).toThrow('the teacher token must be 32 characters of A–Z a–z 0–9 _ - (24 random bytes, base64url)');
    expect(resolveClassroomOptions({ teacherToken: 'a'.repeat(32) })).toEqual({ dataDir: '.socketbook-data', teacherToken: 'a'.repeat(32), hideSolutions: false, summaryIntervalMs: 180_000 });
  });

  it('makes a random token once, readable by its owner only, and reads the same one back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'socketbook-token-'));
    try {
      const token = teacherTokenIn(join(dir, 'class'));
      expect(token).toMatch(TEACHER_TOKEN_PATTERN);
      expect(teacherTokenIn(join(dir, 'class'))).toBe(token);
      expect((await stat(join(dir, 'class', 'teacher-token'))).mode & 0o777).toBe(0o600);
      expect((await readFile(join(dir, 'class', 'teacher-token'), 'utf8')).trim()).toBe(token);
      const other = await mkdtemp(join(tmpdir(), 'socketbook-token-'));
      expect(teacherTokenIn(other)).not.toBe(token);
      await rm(other, { recursive: true });
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('csvCell', () => {
  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-3)).toBe('-3');
  });

  it('neutralises text a spreadsheet would run as a formula', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) expect(csvCell(text).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
  });
});

describe('bounded', () => {
  it('keeps short text and cuts long text at a code point, marking the cut', () => {
    expect(bounded('short', 10)).toBe('short');
    expect(bounded('abcdef', 4)).toBe('abc…');
    expect(bounded('😀😀😀', 2)).toBe('😀…');
    expect(bounded(null, 4)).toBe('');
  });
});
