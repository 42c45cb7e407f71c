import type { TestProject } from 'vitest/node';
import { missingNotes, skipNotes } from './servers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by vitest.system.config.ts (`npm run test:system`): a missing server fails the run instead of skipping suites. */
    requireSystemServers: boolean;
  }
}

/**
 * Says which system suites cannot run here and why. Under `npm test` they
 * skip, and the note is printed before the tests and again at the end, where
 * it is not lost in the output; under `npm run test:system` it is an error.
 */
export default function setup(project: TestProject): (() => void) | undefined {
  const notes = skipNotes();
  if (notes.length === 0) return undefined;
  if (project.getProvidedContext().requireSystemServers) {
    throw new Error(`the system tests need real servers: ${missingNotes().join(', ')}`);
  }
  const print = () => {
    for (const note of notes) console.log(`system tests: ${note}`);
  };
  print();
  return print;
}
