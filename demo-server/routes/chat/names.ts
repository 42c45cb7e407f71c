import { loadOnFirstUse } from '../../core/load-on-use.ts';
import { nicknameProblem } from '../../../src/shared/protocol/chat.ts';

/**
 * Member names: the ones the server assigns, adjective-animal style
 * ("brave-otter", easy to say out loud in a classroom), and the rules for
 * the ones a client asks for with `?name=` or `nick`: normalised (NFKC),
 * never a reserved name such as "teacher", and never a look-alike of a
 * present member's name (Unicode's confusable skeletons, UTS #39).
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

/**
 * Names no client may take, in any case, spelling of look-alike letters, or
 * with separators and a number (`Teacher`, `tеacher` with a Cyrillic е,
 * `admin_2`): a student must not be able to speak as the one running the class.
 */
export const RESERVED_NAMES = ['teacher', 'admin', 'administrator', 'moderator', 'server', 'system', 'socketbook', 'root', 'staff', 'everyone'] as const;

/**
 * Unicode's confusables table (about 0.7 MB of heap), loaded by the first
 * name checked, not with every server: a server that only echoes would
 * carry it through every full collection (issue 23).
 */
const unhomoglyph = loadOnFirstUse<(text: string) => string>('unhomoglyph');

/**
 * UTS #39 §4 skeleton: NFD, every confusable character replaced by its
 * prototype from Unicode's confusables.txt (the `unhomoglyph` package, which
 * ships that table), NFD again. Two strings that look alike have the same
 * skeleton (`nimble-оwl` with a Cyrillic о and `nimble-owl`); a skeleton is
 * for comparing, never for showing (`m` becomes `rn`).
 */
export function skeleton(text: string): string {
  return unhomoglyph()(text.normalize('NFD')).normalize('NFD');
}

/**
 * What a name is compared by: its skeleton as typed (so a capital I meets an
 * l) and its skeleton with case folded on both sides (so `Nimble-OWL` and
 * `b0b` meet `nimble-owl` and `bob`).
 */
export interface NameKeys {
  readonly asTyped: string;
  readonly folded: string;
}

export function nameKeys(name: string): NameKeys {
  return { asTyped: skeleton(name), folded: skeleton(name.toLowerCase()).toLowerCase() };
}

/** Whether two names would be mistaken for each other in the member list. */
export function looksAlike(a: NameKeys, b: NameKeys): boolean {
  return a.asTyped === b.asTyped || a.folded === b.folded;
}

/** A name without separators and trailing digits, folded: what the reserved list is compared with. */
function reservedKey(name: string): string {
  return nameKeys(name.replace(/[-_]/g, '').replace(/\p{N}+$/u, '')).folded;
}

/** The reserved names by their keys, made by the first name checked (skeletons need the table). */
let reservedKeys: ReadonlyMap<string, string> | null = null;

/**
 * NFKC, as UTS #39 asks before comparing identifiers: compatibility forms
 * become the letters they stand for (fullwidth `ｔｅａｃｈｅｒ` → `teacher`,
 * `ﬁ` → `fi`), so what is checked is what is shown.
 */
export function normalizeName(name: string): string {
  return name.normalize('NFKC');
}

/** Letters that draw nothing (Hangul fillers U+3164, U+115F, …) although the nickname pattern allows letters. */
const INVISIBLE_LETTER = /\p{Default_Ignorable_Code_Point}/u;

/**
 * Why a client may not take `name` (already NFKC-normalised), or `null`:
 * the nickname pattern (`nicknameProblem`, shared with the page), then
 * invisible letters, then the reserved names.
 */
export function nameProblem(name: string): string | null {
  const patternProblem = nicknameProblem(name);
  if (patternProblem !== null) return patternProblem;
  if (INVISIBLE_LETTER.test(name)) return `${JSON.stringify(name)} is not allowed: it has letters that do not show`;
  reservedKeys ??= new Map(RESERVED_NAMES.map((reserved) => [reservedKey(reserved), reserved]));
  const reserved = reservedKeys.get(reservedKey(name));
  if (reserved !== undefined) return `${JSON.stringify(name)} is not allowed: "${reserved}" is reserved, so no one can pass for the one running the class`;
  return null;
}
