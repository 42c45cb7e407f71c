/**
 * Readable member names, adjective-animal style ("brave-otter"). The FastAPI
 * seed only says a unique name is assigned; these are easy to say out loud in
 * a classroom, and never chosen by the client, so nobody joins as "teacher".
 */

const ADJECTIVES = [
  'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosy', 'crisp', 'daring', 'eager', 'fair', 'fancy', 'gentle',
  'happy', 'jolly', 'keen', 'kind', 'lively', 'lucky', 'merry', 'mighty', 'nimble', 'proud', 'quick', 'quiet', 'rapid',
  'shy', 'sly', 'steady', 'sunny', 'swift', 'witty',
] as const;

const ANIMALS = [
  'badger', 'bat', 'bear', 'beaver', 'bison', 'crane', 'eagle', 'falcon', 'ferret', 'finch', 'fox', 'gecko', 'heron',
  'ibis', 'koala', 'lemur', 'lynx', 'marten', 'moose', 'newt', 'otter', 'owl', 'panda', 'puffin', 'quail', 'raven',
  'robin', 'seal', 'stoat', 'swan', 'tapir', 'wren',
] as const;

/** Random picks before falling back to numbered names; far fewer members than names per room, so this rarely runs out. */
const RANDOM_ATTEMPTS = 20;

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] ?? items[0] as T;
}

/**
 * A name such as `brave-otter` for which `isTaken` is false. After
 * `RANDOM_ATTEMPTS` collisions it numbers the last pick (`brave-otter-2`), so
 * it always returns.
 */
export function assignName(isTaken: (name: string) => boolean, random: () => number = Math.random): string {
  let name = '';
  for (let attempt = 0; attempt < RANDOM_ATTEMPTS; attempt++) {
    name = `${pick(ADJECTIVES, random)}-${pick(ANIMALS, random)}`;
    if (!isTaken(name)) return name;
  }
  for (let suffix = 2; ; suffix++) {
    const numbered = `${name}-${String(suffix)}`;
    if (!isTaken(numbered)) return numbered;
  }
}
