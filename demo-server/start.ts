/** `npm start`: build the site if it is missing or stale, then run the server. */
import { ensureSiteBuilt } from './site-build.ts';

try {
  await ensureSiteBuilt(process.cwd());
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
await import('./main.ts');
