import * as v from 'valibot';
import type { EndpointDoc } from './endpoint-doc.ts';
import { SOCKET_ERRORS, type SocketErrorName } from './errors.ts';

/**
 * Class mode (`--classroom`, or a non-loopback `--host`): students report
 * their progress over `/ws/classroom`, the server keeps it in SQLite, and the
 * teacher watches and steers the class over `/ws/classroom/teacher` and
 * `/classroom/teacher/*`, with the secret token printed at start. Every
 * message of both sockets is declared here, for the server and the pages.
 */

// In a module of their own so every page's loader imports the paths without valibot.
import { CLASSROOM_PATHS } from './classroom-paths.ts';

export { CLASSROOM_PATHS };

/** Student keys are 24 random bytes from the server, in base64url: 32 characters. */
export const STUDENT_KEY_PATTERN = /^[A-Za-z0-9_-]{32}$/;
/** Teacher tokens: 24 random bytes (192 bits), base64url. */
export const TEACHER_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;
/** Transfer codes: 8 letters and digits that cannot be misread (no 0 O 1 I L), shown as `ABCD-EFGH`; case and the dash are ignored. */
export const TRANSFER_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const TRANSFER_CODE_PATTERN = /^[2-9A-HJKMNP-Z]{4}-?[2-9A-HJKMNP-Z]{4}$/i;
/** Chapter slugs and exercise ids: lowercase letters, digits and dashes. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Section ids (heading anchors): lowercase letters, digits and dashes. */
export const SECTION_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;

export const CLASSROOM_LIMITS = {
  /** Time a student's socket has to send `join`, else 4408. */
  joinTimeoutMs: 5_000,
  /** Largest message either socket accepts; bigger closes with 1009. */
  maxMessageBytes: 16 * 1024,
  /** Student messages: 5 a second on average, 30 at once (a join and a burst of attempts). */
  messagesPerSecond: 5,
  messageBurst: 30,
  /** Joins from one address (every page load joins): 5 a second after a burst of 120, for a class of 60 behind one NAT arriving together. */
  joinsPerSecondPerAddress: 5,
  joinBurstPerAddress: 120,
  /** New students one address may add: a burst of 100 (a class behind one NAT), then one every 6 s, so a script cannot fill the class. */
  newStudentsPerSecondPerAddress: 1 / 6,
  newStudentBurstPerAddress: 100,
  /** Solved exercises a join may bring from the browser's own progress. */
  maxMergedSolved: 200,
  /** Characters kept of a failed check's name and reason; longer ones are cut, with `…`. */
  maxCheckChars: 120,
  maxReasonChars: 300,
  /** Distinct failures (check and reason) kept per student and exercise; more are counted, not kept. */
  maxFailuresPerExercise: 20,
  /** Students one class (one data folder) holds; more joins close with 1013. */
  maxStudents: 1_000,
  /** Connections at once of one student (tabs, browsers). */
  maxConnectionsPerStudent: 8,
  /** How long a transfer code works, once. */
  transferCodeTtlMs: 10 * 60_000,
  maxAnnouncementChars: 500,
  /** Least time between two snapshots pushed to the teacher's socket. */
  snapshotIntervalMs: 250,
} as const;

// ---- Client → server (students) ------------------------------------------------

/** Every event after `join` carries the client's own number, which the server's `ack` (or `error`) repeats. */
const eventId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1));
const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

const SolvedEntry = v.strictObject({ exercise: text(100), solvedAt: v.pipe(v.number(), v.integer(), v.minValue(0)) });

export const studentClientMessageSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('join'),
    /** The key this browser was given before; absent or null for a new student. */
    key: v.optional(v.nullable(text(100))),
    /** A transfer code from another browser, in place of a key. */
    transferCode: v.optional(text(40)),
    /** A display name (like a chat name), or null to stay unnamed. Checked by the server. */
    name: v.optional(v.nullable(text(200))),
    /** The browser's own progress (`socketbook:progress`), merged into the server's. */
    solved: v.optional(v.pipe(v.array(SolvedEntry), v.maxLength(CLASSROOM_LIMITS.maxMergedSolved))),
  }),
  v.strictObject({ type: v.literal('reading'), id: eventId, chapter: text(100), section: v.optional(v.nullable(text(200))) }),
  v.strictObject({
    type: v.literal('attempt'),
    id: eventId,
    exercise: text(100),
    passed: v.boolean(),
    /** The name of the first failed check, and its reason ("expected the close code 1000, got 1006"). */
    failedCheck: v.optional(v.nullable(text(1_000))),
    reason: v.optional(v.nullable(text(4_000))),
  }),
  v.strictObject({ type: v.literal('name'), id: eventId, name: text(200) }),
  v.strictObject({ type: v.literal('transfer'), id: eventId }),
]);
export type StudentClientMessage = v.InferOutput<typeof studentClientMessageSchema>;
export const STUDENT_CLIENT_TYPES = ['join', 'reading', 'attempt', 'name', 'transfer'] as const;

// ---- Server → students -------------------------------------------------------

export const announcementSchema = v.object({ text: v.string(), at: v.number() });
export type Announcement = v.InferOutput<typeof announcementSchema>;
export const bringSchema = v.object({ chapter: v.string(), section: v.nullable(v.string()), at: v.number() });
export type Bring = v.InferOutput<typeof bringSchema>;
export const solvedExerciseSchema = v.object({ exercise: v.string(), chapter: v.string(), solvedAt: v.number() });
export type SolvedExerciseRecord = v.InferOutput<typeof solvedExerciseSchema>;

/** An error, with the `id` of the event it refuses when it refuses one. */
const classroomErrorSchema = v.object({
  type: v.literal('error'),
  error: v.picklist(Object.keys(SOCKET_ERRORS) as [SocketErrorName, ...SocketErrorName[]]),
  message: v.string(),
  closeCode: v.optional(v.number()),
  id: v.optional(v.number()),
});

export const studentServerMessageSchema = v.variant('type', [
  v.object({
    type: v.literal('welcome'),
    /** Keep it (localStorage) and send it with the next join: it is who you are to this class. */
    key: v.string(),
    name: v.nullable(v.string()),
    /** Everything the server has for this student, after the merge. */
    solved: v.array(solvedExerciseSchema),
    /** How many of the join's solved exercises were new to the server. */
    merged: v.number(),
    /** Exercise ids of the join that no chapter has: not stored. */
    ignored: v.array(v.string()),
    announcement: v.nullable(announcementSchema),
    bring: v.nullable(bringSchema),
    hiddenSolutions: v.array(v.string()),
  }),
  /** The event `id` is stored (committed to the database). `solved` is set when an attempt solved its exercise for the first time. */
  v.object({ type: v.literal('ack'), id: v.number(), solved: v.optional(v.boolean()) }),
  v.object({ type: v.literal('transfer-code'), id: v.number(), code: v.string(), expiresInMs: v.number() }),
  v.object({ type: v.literal('announcement'), announcement: announcementSchema }),
  v.object({ type: v.literal('bring'), bring: bringSchema }),
  v.object({ type: v.literal('solutions'), hiddenSolutions: v.array(v.string()) }),
  /** The teacher reset this student: the server forgot their progress; the page forgets its own. */
  v.object({ type: v.literal('reset'), at: v.number() }),
  classroomErrorSchema,
]);
export type StudentServerMessage = v.InferOutput<typeof studentServerMessageSchema>;

// ---- The teacher ---------------------------------------------------------------

export const teacherClientMessageSchema = v.variant('type', [
  v.strictObject({ type: v.literal('announce'), id: eventId, text: v.pipe(v.string(), v.minLength(1), v.maxLength(CLASSROOM_LIMITS.maxAnnouncementChars)) }),
  v.strictObject({ type: v.literal('bring'), id: eventId, chapter: text(100), section: v.optional(v.nullable(text(200))) }),
  /** Shows (`visible: true`) or hides one exercise's solution, or every one's with `exercise: "*"`. */
  v.strictObject({ type: v.literal('solution'), id: eventId, exercise: text(100), visible: v.boolean() }),
  /** Forgets one student's progress (keeps the student, their key and name). */
  v.strictObject({ type: v.literal('reset-student'), id: eventId, student: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
]);
export type TeacherClientMessage = v.InferOutput<typeof teacherClientMessageSchema>;
export const TEACHER_CLIENT_TYPES = ['announce', 'bring', 'solution', 'reset-student'] as const;

export const studentRowSchema = v.object({
  /** The server's number for the student, for `reset-student`; never shown to other students. */
  id: v.number(),
  name: v.nullable(v.string()),
  /** Open sockets of this student (0: not connected). */
  connections: v.number(),
  chapter: v.nullable(v.string()),
  section: v.nullable(v.string()),
  joinedAt: v.number(),
  lastActivityAt: v.number(),
  solved: v.array(v.string()),
  solvedByChapter: v.record(v.string(), v.number()),
});
export type StudentRow = v.InferOutput<typeof studentRowSchema>;

export const exerciseRowSchema = v.object({
  exercise: v.string(),
  chapter: v.string(),
  attempts: v.number(),
  failures: v.number(),
  /** Students who attempted it, who solved it, and who attempted it without solving it. */
  attempted: v.number(),
  solved: v.number(),
  stuck: v.number(),
  /** The failure most students hit: the check's name, its reason, and how many students. */
  topFailure: v.nullable(v.object({ check: v.nullable(v.string()), reason: v.nullable(v.string()), students: v.number() })),
});
export type ExerciseRow = v.InferOutput<typeof exerciseRowSchema>;

export const classSnapshotSchema = v.object({
  at: v.number(),
  /** Every chapter page with its exercises in page order (read from the chapters at start). */
  chapters: v.array(v.object({ slug: v.string(), exercises: v.array(v.string()) })),
  students: v.array(studentRowSchema),
  exercises: v.array(exerciseRowSchema),
  hiddenSolutions: v.array(v.string()),
  announcement: v.nullable(announcementSchema),
  bring: v.nullable(bringSchema),
});
export type ClassSnapshot = v.InferOutput<typeof classSnapshotSchema>;

export const teacherServerMessageSchema = v.variant('type', [
  /** On open, then after every change (at most one per `snapshotIntervalMs`). */
  v.object({ type: v.literal('snapshot'), snapshot: classSnapshotSchema }),
  v.object({ type: v.literal('ack'), id: v.number() }),
  classroomErrorSchema,
]);
export type TeacherServerMessage = v.InferOutput<typeof teacherServerMessageSchema>;

/** `GET /classroom/status`. */
export interface ClassroomStatus {
  readonly enabled: boolean;
}

// ---- Docs --------------------------------------------------------------------

const EXAMPLE_KEY = 'c3R1ZGVudC1rZXktZXhhbXBsZS0wMDAx';
const EXAMPLE_AT = 1_767_225_600_000;

export const classroomStudentEndpoint: EndpointDoc = {
  path: CLASSROOM_PATHS.student,
  chapter: 'classroom',
  summary:
    'Class mode only (--classroom, or a non-loopback --host): a student\'s page reports where it is and each exercise attempt; the server stores them (SQLite, --data-dir) and acknowledges each event once committed. Also pushes the teacher\'s announcements, "bring everyone here" and hidden solutions.',
  query: [],
  messages: [
    {
      type: 'join',
      direction: 'client-to-server',
      description: `First message, within ${String(CLASSROOM_LIMITS.joinTimeoutMs / 1000)} s: the key from an earlier welcome (or a transfer code, or neither for a new student), an optional name, and the browser's solved exercises to merge.`,
      example: { type: 'join', key: null, name: 'ada', solved: [{ exercise: 'echo-three', solvedAt: EXAMPLE_AT }] },
    },
    { type: 'reading', direction: 'client-to-server', description: 'The chapter (and section) on screen.', example: { type: 'reading', id: 1, chapter: 'closing', section: 'close-codes' } },
    {
      type: 'attempt',
      direction: 'client-to-server',
      description: 'An exercise run: passed, or the first failed check and its reason.',
      example: { type: 'attempt', id: 2, exercise: 'safe-close', passed: false, failedCheck: 'closes cleanly', reason: 'expected the close code 1000, got 1006' },
    },
    { type: 'name', direction: 'client-to-server', description: 'Sets or changes the display name (rules of chat names; unlike every other student\'s).', example: { type: 'name', id: 3, name: 'ada' } },
    { type: 'transfer', direction: 'client-to-server', description: 'Asks for a one-time code to join as the same student from another browser.', example: { type: 'transfer', id: 4 } },
    {
      type: 'welcome',
      direction: 'server-to-client',
      description: 'After a join: the key to keep, the name, all solved exercises after the merge, and the class\'s current announcement, "bring" and hidden solutions.',
      example: { type: 'welcome', key: EXAMPLE_KEY, name: 'ada', solved: [{ exercise: 'echo-three', chapter: 'why-websockets', solvedAt: EXAMPLE_AT }], merged: 1, ignored: [], announcement: null, bring: null, hiddenSolutions: [] },
    },
    { type: 'ack', direction: 'server-to-client', description: 'The event with this id is committed to the database.', example: { type: 'ack', id: 2 } },
    { type: 'transfer-code', direction: 'server-to-client', description: 'The one-time code, valid 10 minutes.', example: { type: 'transfer-code', id: 4, code: 'K7QM-4XPA', expiresInMs: CLASSROOM_LIMITS.transferCodeTtlMs } },
    { type: 'announcement', direction: 'server-to-client', description: 'The teacher\'s announcement.', example: { type: 'announcement', announcement: { text: 'Five minutes left', at: EXAMPLE_AT } } },
    { type: 'bring', direction: 'server-to-client', description: 'The teacher asks everyone to go to a chapter section.', example: { type: 'bring', bring: { chapter: 'closing', section: 'close-codes', at: EXAMPLE_AT } } },
    { type: 'solutions', direction: 'server-to-client', description: 'The exercises whose solution is hidden now.', example: { type: 'solutions', hiddenSolutions: ['safe-close'] } },
    { type: 'reset', direction: 'server-to-client', description: 'The teacher reset this student\'s progress.', example: { type: 'reset', at: EXAMPLE_AT } },
    {
      type: 'error',
      direction: 'server-to-client',
      description: 'A refused event, with its id; nothing of it was stored.',
      example: { type: 'error', error: 'UNKNOWN_EXERCISE', message: 'no such exercise: "nope"', id: 5 },
    },
  ],
  limits: [
    `join within ${String(CLASSROOM_LIMITS.joinTimeoutMs / 1000)} s, else 4408`,
    `${String(CLASSROOM_LIMITS.messagesPerSecond)} messages a second after a burst of ${String(CLASSROOM_LIMITS.messageBurst)}; more close with 1008`,
    `messages over ${String(CLASSROOM_LIMITS.maxMessageBytes / 1024)} KiB close with 1009`,
    `failed check names over ${String(CLASSROOM_LIMITS.maxCheckChars)} characters and reasons over ${String(CLASSROOM_LIMITS.maxReasonChars)} are stored cut`,
    `${String(CLASSROOM_LIMITS.joinBurstPerAddress)} joins at once from one address, then ${String(CLASSROOM_LIMITS.joinsPerSecondPerAddress)} a second (1013)`,
    `${String(CLASSROOM_LIMITS.newStudentBurstPerAddress)} new students from one address, then one every ${String(Math.round(1 / CLASSROOM_LIMITS.newStudentsPerSecondPerAddress))} s (1013)`,
  ],
  closeCodes: [
    { code: 1013, when: 'the class is full, or too many joins from this address' },
    { code: 4400, when: 'the first message is not a join, or its key or transfer code is malformed' },
    { code: 4403, when: 'the key or transfer code is unknown: forged, expired, or from another class (join again without it)' },
    { code: 4408, when: `no join within ${String(CLASSROOM_LIMITS.joinTimeoutMs / 1000)} s` },
  ],
  clientSchema: studentClientMessageSchema,
  serverSchema: studentServerMessageSchema,
};

export const classroomTeacherEndpoint: EndpointDoc = {
  path: CLASSROOM_PATHS.teacher,
  chapter: 'classroom',
  summary:
    'Class mode only: the teacher\'s dashboard. ?token= must be the secret printed at start (HTTP 403 before the upgrade otherwise). Pushes the whole class after every change; takes announcements, "bring everyone here", solution visibility and student resets.',
  query: [{ name: 'token', description: 'The teacher token printed at start (Teacher dashboard: …#token=…).', allowed: '32 characters A–Z a–z 0–9 _ -' }],
  messages: [
    { type: 'announce', direction: 'client-to-server', description: 'Shows a text on every student\'s page.', example: { type: 'announce', id: 1, text: 'Five minutes left' } },
    { type: 'bring', direction: 'client-to-server', description: 'Gives every student a link to a chapter section.', example: { type: 'bring', id: 2, chapter: 'closing', section: 'close-codes' } },
    { type: 'solution', direction: 'client-to-server', description: 'Shows or hides an exercise\'s solution ("*": every exercise).', example: { type: 'solution', id: 3, exercise: 'safe-close', visible: false } },
    { type: 'reset-student', direction: 'client-to-server', description: 'Forgets one student\'s progress.', example: { type: 'reset-student', id: 4, student: 7 } },
    {
      type: 'snapshot',
      direction: 'server-to-client',
      description: 'The whole class: students (connected, chapter, last activity, solved), per-exercise attempts, solves and the most common failure.',
      example: {
        type: 'snapshot',
        snapshot: {
          at: EXAMPLE_AT,
          chapters: [{ slug: 'closing', exercises: ['should-reconnect', 'safe-close', 'describe-close'] }],
          students: [{ id: 7, name: 'ada', connections: 1, chapter: 'closing', section: null, joinedAt: EXAMPLE_AT, lastActivityAt: EXAMPLE_AT, solved: ['should-reconnect'], solvedByChapter: { closing: 1 } }],
          exercises: [{ exercise: 'safe-close', chapter: 'closing', attempts: 3, failures: 3, attempted: 1, solved: 0, stuck: 1, topFailure: { check: 'closes cleanly', reason: 'expected the close code 1000, got 1006', students: 1 } }],
          hiddenSolutions: [],
          announcement: null,
          bring: null,
        },
      },
    },
    { type: 'ack', direction: 'server-to-client', description: 'The action is done (and stored).', example: { type: 'ack', id: 1 } },
    { type: 'error', direction: 'server-to-client', description: 'A refused action, with its id.', example: { type: 'error', error: 'UNKNOWN_STUDENT', message: 'no such student: 99', id: 4 } },
  ],
  limits: ['token missing or wrong: HTTP 403 at the handshake', `messages over ${String(CLASSROOM_LIMITS.maxMessageBytes / 1024)} KiB close with 1009`],
  closeCodes: [],
  clientSchema: teacherClientMessageSchema,
  serverSchema: teacherServerMessageSchema,
};
