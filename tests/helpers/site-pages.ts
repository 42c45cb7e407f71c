import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Every page of a built site folder, as URL paths (`/`, `/why-websockets/`), sorted. */
export async function sitePages(site: string, folder = site): Promise<string[]> {
  const pages: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('_') && entry.name !== 'pagefind') pages.push(...(await sitePages(site, path)));
    else if (entry.name === 'index.html') pages.push(`/${relative(site, folder).split(sep).join('/')}/`.replace('//', '/'));
  }
  return pages.sort();
}
