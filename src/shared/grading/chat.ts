/**
 * The Socketbook chat protocol (the reference page's `/ws/chat/:room`) as
 * the graders expect it: each check's name and hint, and the judgement of
 * a welcome. The terminal grader (`grader/suites/chat.ts`) runs every
 * check; the browser's "Check my server" panel runs the first four.
 */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message as a verdict quotes it: JSON, cut at 120 characters. */
export function brief(message: unknown): string {
  const text = JSON.stringify(message);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

interface Expectation {
  readonly name: string;
  /** What to fix when it fails. */
  readonly hint: string;
}

export const CHAT_EXPECTATIONS = {
  welcome: {
    name: 'welcomes a member with its name',
    hint: 'Send {"type":"welcome","you":"<name>","members":[…],"history":[…]} as the first message of every connection; "you" is the name the server gave this member.',
  },
  names: {
    name: 'gives each member its own name',
    hint: 'Names identify members in every "message", "joined" and "left": give a second member a different name from every member present.',
  },
  joined: {
    name: 'tells the room when someone joins',
    hint: 'When a member joins, send {"type":"joined","name":"<their name>"} to the members already there.',
  },
  broadcast: {
    name: 'broadcasts a message to everyone, the sender included',
    hint: 'On {"type":"say","text":…}, send {"type":"message","from":"<sender\'s name>","text":…} to every member of the room, the sender too (that is how the sender knows it went through).',
  },
  history: {
    name: 'sends recent history to a new member',
    hint: 'Keep the room\'s recent events and put them in the welcome\'s "history" array, oldest first, so a member who joins later sees what was said.',
  },
  left: {
    name: 'tells the room when someone leaves',
    hint: 'When a member\'s connection closes (cleanly or not), send {"type":"left","name":"<their name>"} to the members still there.',
  },
} as const satisfies Record<string, Expectation>;

/** Why `first`, a connection's first message, is not a welcome with a name and a history, or `null` when it is. */
export function welcomeProblem(first: unknown): string | null {
  if (!isObject(first) || first.type !== 'welcome') return `expected {"type":"welcome", …} as the first message, got ${brief(first)}`;
  if (typeof first.you !== 'string' || first.you === '') return `the welcome has no "you" name: ${brief(first)}`;
  if (!Array.isArray(first.history)) return `the welcome has no "history" array: ${brief(first)}`;
  return null;
}
