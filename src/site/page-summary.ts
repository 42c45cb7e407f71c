/**
 * Finds the labs and exercises in a chapter's rendered HTML, for the "Labs
 * and exercises on this page" summary (overrides/MarkdownContent.astro).
 * Runs at build time on HTML our own components rendered:
 *
 * - a lab is a `<section>` with the class `sb-cell` and `aria-labelledby`
 *   pointing at its title (every lab renders one); it gets a stable id,
 *   `lab-<title>`, since lab ids are random per build;
 * - an exercise is a `<section id="exercise-<id>">` labelled "Exercise: <title>"
 *   (src/notebook/Exercise.astro).
 */
import type { SummaryEntry } from './summary-entry.ts';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Text of HTML as rendered: entities decoded (numeric and the common named ones), tags and extra spaces dropped. */
export function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity: string, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(tag);
  if (match === null) return null;
  return htmlText(match[1] ?? match[2] ?? match[3] ?? '');
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
    .replace(/-$/, '');
}

export interface PageSummary {
  /** Links to each lab and exercise, in page order. */
  readonly entries: SummaryEntry[];
  /** The HTML with an id on each lab's section. */
  readonly html: string;
}

/** The labs and exercises of a rendered page, and its HTML with an anchor on each lab. */
export function summarisePage(html: string): PageSummary {
  const entries: SummaryEntry[] = [];
  const used = new Set<string>();
  const unique = (base: string) => {
    let id = base;
    for (let count = 2; used.has(id) || html.includes(`id="${id}"`); count++) id = `${base}-${String(count)}`;
    used.add(id);
    return id;
  };
  const rewritten = html.replace(/<section\b[^>]*>/gi, (tag) => {
    const classes = (attribute(tag, 'class') ?? '').split(' ');
    if (!classes.includes('sb-cell')) return tag;
    const id = attribute(tag, 'id');
    const label = attribute(tag, 'aria-label');
    if (id?.startsWith('exercise-') === true && label?.startsWith('Exercise: ') === true) {
      entries.push({ href: `#${id}`, kind: 'Exercise', label: label.slice('Exercise: '.length) });
      return tag;
    }
    const titleId = attribute(tag, 'aria-labelledby');
    if (titleId === null || id !== null) return tag;
    const escaped = titleId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const title = new RegExp(`<(\\w+)\\b[^>]*\\sid="${escaped}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
    const text = title === null ? '' : htmlText(title[2] ?? '');
    if (text === '') return tag;
    const anchor = unique(`lab-${slug(text) || 'untitled'}`);
    entries.push({ href: `#${anchor}`, kind: 'Lab', label: text });
    return tag.replace(/^<section\b/i, `<section id="${anchor}"`);
  });
  return { entries, html: rewritten };
}
