import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * Every page of a built site folder, as URL paths (`/`, `/why-websockets/`),
 * sorted; the not-found page as `/404.html`, the address at which the server
 * answers it with 200 (at any missing address it sends the same page with
 * 404, which Lighthouse refuses to score).
 */
export async function sitePages(site: string, folder = site): Promise<string[]> {
  const pages: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('_') && entry.name !== 'pagefind') pages.push(...(await sitePages(site, path)));
    else if (entry.name === 'index.html') pages.push(`/${relative(site, folder).split(sep).join('/')}/`.replace('//', '/'));
    else if (entry.name === '404.html' && folder === site) pages.push('/404.html');
  }
  return pages.sort();
}
