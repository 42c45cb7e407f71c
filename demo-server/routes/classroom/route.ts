import {
  CLASSROOM_LIMITS,
  classroomStudentEndpoint,
  classroomTeacherEndpoint,
  SECTION_PATTERN,
  STUDENT_CLIENT_TYPES,
  STUDENT_KEY_PATTERN,
  studentClientMessageSchema,
  TEACHER_CLIENT_TYPES,
  teacherClientMessageSchema,
  TRANSFER_CODE_PATTERN,
  type StudentClientMessage,
  type StudentServerMessage,
  type TeacherClientMessage,
  type TeacherServerMessage,
} from '../../../src/shared/protocol/classroom.ts';
import { socketError, type ErrorMessage, type SocketErrorName } from '../../../src/shared/protocol/errors.ts';
import { AddressBuckets, addressOf } from '../../core/address-buckets.ts';
import type { Connection } from '../../core/connection.ts';
import { burstWordedLimits, JSON_MESSAGE_DEFAULTS, onJsonMessages, type Reject } from '../../core/json-messages.ts';
import { accept, refuse, type Checked, type Route, type RouteContext, type RouteFactory } from '../../core/route.ts';
import { nameProblem, normalizeName } from '../chat/names.ts';
import { classOf, type Class } from './class.ts';
import { handleClassroomHttp } from './http.ts';
import type { Identity, Student } from './store.ts';

/**
 * Class mode's two sockets. `/ws/classroom`: a student joins (key, transfer
 * code or neither; a name checked like a chat name; the browser's own
 * progress merged), then reports reading, attempts and name changes, each
 * acknowledged once committed. `/ws/classroom/teacher?token=`: the live
 * class and the teacher's actions. Both refuse with 404 when class mode is off.
 */

const OFF = 'class mode is off: start the server with --classroom (or a non-loopback --host)';

const STUDENT_LIMITS = burstWordedLimits({
  messagesPerSecond: CLASSROOM_LIMITS.messagesPerSecond,
  messageBurst: CLASSROOM_LIMITS.messageBurst,
  invalidPerSecond: 1,
  invalidBurst: 10,
  binaryDetail: 'send JSON as text',
});

/** Errors a join gets without being closed: the student may try again with another name. */
const ANSWERED_BEFORE_JOIN: ReadonlySet<SocketErrorName> = new Set(['NAME_INVALID', 'NAME_CLAIMED', 'NOT_STORED']);

/** Why `name` may not be this student's, as the error to send, or `null`. */
function nameRefusal(classroom: Class, name: string, student: number | null): ErrorMessage | null {
  const problem = nameProblem(name);
  if (problem !== null) return socketError('NAME_INVALID', problem);
  if (classroom.store.nameClaimedBy(name, student) !== null) return socketError('NAME_CLAIMED', JSON.stringify(name));
  return null;
}

function identityOf(message: Extract<StudentClientMessage, { type: 'join' }>): Identity | { readonly malformed: 'STUDENT_KEY_MALFORMED' | 'TRANSFER_CODE_MALFORMED' | 'JOIN_EXPECTED'; readonly detail: string } {
  const key = message.key ?? null;
  const code = message.transferCode ?? null;
  if (key !== null && code !== null) return { malformed: 'JOIN_EXPECTED', detail: 'give a key or a transfer code, not both' };
  if (key !== null) return STUDENT_KEY_PATTERN.test(key) ? { kind: 'key', key } : { malformed: 'STUDENT_KEY_MALFORMED', detail: 'expected 32 characters of A–Z a–z 0–9 _ -' };
  if (code !== null) return TRANSFER_CODE_PATTERN.test(code) ? { kind: 'transfer', code } : { malformed: 'TRANSFER_CODE_MALFORMED', detail: 'expected 8 letters and digits, as ABCD-EFGH' };
  return { kind: 'new' };
}

function createStudentRoute(context: RouteContext): Route<Class> {
  // Opened now, so an unusable data folder stops the server at start, not at the first student.
  classOf(context);
  const joins = new AddressBuckets(CLASSROOM_LIMITS.joinsPerSecondPerAddress, CLASSROOM_LIMITS.joinBurstPerAddress);
  const newStudents = new AddressBuckets(CLASSROOM_LIMITS.newStudentsPerSecondPerAddress, CLASSROOM_LIMITS.newStudentBurstPerAddress);
  return {
    maxMessageBytes: CLASSROOM_LIMITS.maxMessageBytes,
    handleHttp(request, response, url) {
      return handleClassroomHttp(context, request, response, url);
    },
    check(): Checked<Class> {
      const classroom = classOf(context);
      return classroom === null ? refuse(OFF, 404) : accept(classroom);
    },
    open(connection, handshake, classroom) {
      const address = addressOf(handshake.request.socket.remoteAddress);
      let student: Student | null = null;
      /** The id of the event being handled, which an error about it repeats. */
      let eventId: number | null = null;
      const joinTimer = setTimeout(() => {
        connection.fail('JOIN_TIMEOUT', `no join within ${String(CLASSROOM_LIMITS.joinTimeoutMs / 1000)} s`);
      }, CLASSROOM_LIMITS.joinTimeoutMs);
      connection.socket.on('close', () => {
        clearTimeout(joinTimer);
      });
      const send = (message: StudentServerMessage): void => {
        connection.sendJson(message);
      };
      // Before the join, an invalid message ends the connection (4400): it is not a class client.
      const sendError = (error: ErrorMessage): void => {
        if (student === null && error.closeCode === undefined && !ANSWERED_BEFORE_JOIN.has(error.error)) {
          connection.fail('JOIN_EXPECTED', error.message);
          return;
        }
        connection.sendJson(eventId === null ? error : { ...error, id: eventId });
      };

      const join = (message: Extract<StudentClientMessage, { type: 'join' }>, reject: Reject): void => {
        const identity = identityOf(message);
        if ('malformed' in identity) {
          connection.fail(identity.malformed, identity.detail);
          return;
        }
        if (!joins.take(address)) {
          connection.fail('JOINING_TOO_FAST');
          return;
        }
        const verdict = classroom.store.identify(identity);
        if (!verdict.ok) {
          classroom.log(`refused a join from ${address}: ${verdict.problem}`);
          connection.fail(verdict.problem === 'unknown-key' ? 'STUDENT_KEY_UNKNOWN' : 'TRANSFER_CODE_UNKNOWN');
          return;
        }
        if (verdict.student === null && classroom.store.isFull) {
          connection.fail('CLASS_FULL', `${String(CLASSROOM_LIMITS.maxStudents)} students`);
          return;
        }
        if (verdict.student === null && !newStudents.take(address)) {
          connection.fail('JOINING_TOO_FAST', `over ${String(CLASSROOM_LIMITS.newStudentBurstPerAddress)} new students from your address; rejoin with your key`);
          return;
        }
        if (verdict.student !== null && classroom.connectionsOf(verdict.student.id) >= CLASSROOM_LIMITS.maxConnectionsPerStudent) {
          connection.fail('TOO_MANY_TABS', `at most ${String(CLASSROOM_LIMITS.maxConnectionsPerStudent)}`);
          return;
        }
        const name = message.name === undefined || message.name === null ? null : normalizeName(message.name);
        if (name !== null) {
          const refusal = nameRefusal(classroom, name, verdict.student?.id ?? null);
          if (refusal !== null) {
            reject(refusal);
            return;
          }
        }
        const joined = classroom.store.join(verdict.student, name, message.solved ?? [], identity.kind === 'transfer');
        clearTimeout(joinTimer);
        student = joined.student;
        // A key is made for one browser: a join by key gets back the key it sent.
        const key = joined.key ?? (identity.kind === 'key' ? identity.key : '');
        send({
          type: 'welcome',
          key,
          name: joined.student.name,
          solved: classroom.store.solvedBy(joined.student.id),
          merged: joined.merged,
          ignored: joined.ignored,
          announcement: classroom.store.announcement,
          bring: classroom.store.bring,
          hiddenSolutions: classroom.store.hiddenSolutions(),
        });
        classroom.log(`${verdict.student === null ? 'joined' : 'rejoined'}: student ${String(joined.student.id)} ${JSON.stringify(joined.student.name ?? '(no name)')}  ${address}${joined.merged > 0 ? `  merged ${String(joined.merged)} solved` : ''}`);
        classroom.studentConnected(joined.student.id, connection);
      };

      const event = (message: Exclude<StudentClientMessage, { type: 'join' }>, who: Student, reject: Reject): void => {
        switch (message.type) {
          case 'reading': {
            if (!classroom.catalog.chapters.some((chapter) => chapter.slug === message.chapter)) {
              reject(socketError('UNKNOWN_CHAPTER', JSON.stringify(message.chapter.slice(0, 64))));
              return;
            }
            const section = message.section ?? null;
            if (section !== null && !SECTION_PATTERN.test(section)) {
              reject(socketError('INVALID_SECTION', JSON.stringify(section.slice(0, 64))));
              return;
            }
            classroom.store.reading(who.id, message.chapter, section);
            send({ type: 'ack', id: message.id });
            break;
          }
          case 'attempt': {
            if (!classroom.catalog.chapterOf.has(message.exercise)) {
              reject(socketError('UNKNOWN_EXERCISE', JSON.stringify(message.exercise.slice(0, 64))));
              return;
            }
            const solved = classroom.store.attempt(who.id, message.exercise, message.passed, message.failedCheck, message.reason);
            send(solved ? { type: 'ack', id: message.id, solved } : { type: 'ack', id: message.id });
            break;
          }
          case 'name': {
            const name = normalizeName(message.name);
            const refusal = nameRefusal(classroom, name, who.id);
            if (refusal !== null) {
              reject(refusal);
              return;
            }
            classroom.store.setName(who.id, name);
            student = { id: who.id, name };
            classroom.log(`student ${String(who.id)} is now ${JSON.stringify(name)}`);
            send({ type: 'ack', id: message.id });
            break;
          }
          case 'transfer':
            send({ type: 'transfer-code', id: message.id, code: classroom.store.transferCode(who.id), expiresInMs: CLASSROOM_LIMITS.transferCodeTtlMs });
            return;
        }
        classroom.changed();
      };

      onJsonMessages(
        connection,
        { schema: studentClientMessageSchema, knownTypes: STUDENT_CLIENT_TYPES },
        STUDENT_LIMITS,
        (message, reject) => {
          eventId = message.type === 'join' ? null : message.id;
          try {
            if (message.type === 'join') {
              if (student === null) join(message, reject);
              else reject(socketError('ALREADY_JOINED'));
            } else if (student === null) {
              connection.fail('JOIN_EXPECTED', `got ${message.type}`);
            } else {
              event(message, student, reject);
            }
          } catch (error) {
            // The database refused (disk full, a bug): nothing was acknowledged, so the page keeps the event.
            connection.lastError = error instanceof Error ? error.message : String(error);
            context.log('error', `/ws/classroom: ${connection.lastError}`);
            sendError(socketError('NOT_STORED'));
          } finally {
            eventId = null;
          }
        },
        { sendError },
      );
    },
    dispose() {
      classOf(context)?.dispose();
    },
  };
}

/** `/ws/classroom`: a student's progress, reported and acknowledged; and `/classroom/*` over HTTP. */
export const classroomStudentRoute: RouteFactory<Class> = { doc: classroomStudentEndpoint, create: createStudentRoute };

function teacherAction(classroom: Class, message: TeacherClientMessage, reject: Reject): boolean {
  switch (message.type) {
    case 'announce': {
      const announcement = classroom.store.announce(message.text);
      classroom.toStudents({ type: 'announcement', announcement });
      classroom.log(`announcement: ${JSON.stringify(message.text.slice(0, 80))}`);
      return true;
    }
    case 'bring': {
      const section = message.section ?? null;
      if (!classroom.catalog.chapters.some((chapter) => chapter.slug === message.chapter)) {
        reject(socketError('UNKNOWN_CHAPTER', JSON.stringify(message.chapter.slice(0, 64))));
        return false;
      }
      if (section !== null && !SECTION_PATTERN.test(section)) {
        reject(socketError('INVALID_SECTION', JSON.stringify(section.slice(0, 64))));
        return false;
      }
      const bring = classroom.store.bringTo(message.chapter, section);
      classroom.toStudents({ type: 'bring', bring });
      classroom.log(`bring everyone to ${message.chapter}${section === null ? '' : `#${section}`}`);
      return true;
    }
    case 'solution': {
      if (message.exercise !== '*' && !classroom.catalog.chapterOf.has(message.exercise)) {
        reject(socketError('UNKNOWN_EXERCISE', JSON.stringify(message.exercise.slice(0, 64))));
        return false;
      }
      classroom.store.setSolutionVisible(message.exercise, message.visible);
      classroom.toStudents({ type: 'solutions', hiddenSolutions: classroom.store.hiddenSolutions() });
      return true;
    }
    case 'reset-student': {
      if (!classroom.store.reset(message.student)) {
        reject(socketError('UNKNOWN_STUDENT', String(message.student)));
        return false;
      }
      classroom.toStudents({ type: 'reset', at: Date.now() }, message.student);
      classroom.log(`reset student ${String(message.student)}`);
      return true;
    }
  }
}

function createTeacherRoute(context: RouteContext): Route<Class> {
  return {
    maxMessageBytes: CLASSROOM_LIMITS.maxMessageBytes,
    check(handshake): Checked<Class> {
      const classroom = classOf(context);
      if (classroom === null) return refuse(OFF, 404);
      // The log line of a refusal names the path only, never the query with its token.
      if (!classroom.isTeacher(handshake.url.searchParams.get('token'))) return refuse('the teacher token is missing or wrong: open the dashboard link printed at start', 403);
      return accept(classroom);
    },
    open(connection: Connection, _handshake, classroom) {
      let eventId: number | null = null;
      const sendError = (error: ErrorMessage): void => {
        connection.sendJson(eventId === null ? error : { ...error, id: eventId });
      };
      onJsonMessages(
        connection,
        { schema: teacherClientMessageSchema, knownTypes: TEACHER_CLIENT_TYPES },
        JSON_MESSAGE_DEFAULTS,
        (message, reject) => {
          eventId = message.id;
          try {
            if (teacherAction(classroom, message, reject)) {
              connection.sendJson({ type: 'ack', id: message.id } satisfies TeacherServerMessage);
              classroom.changed();
            }
          } catch (error) {
            connection.lastError = error instanceof Error ? error.message : String(error);
            context.log('error', `/ws/classroom/teacher: ${connection.lastError}`);
            sendError(socketError('NOT_STORED'));
          } finally {
            eventId = null;
          }
        },
        { sendError },
      );
      classroom.teacherConnected(connection);
    },
    dispose() {
      classOf(context)?.dispose();
    },
  };
}

/** `/ws/classroom/teacher?token=`: the live class and the teacher's actions. */
export const classroomTeacherRoute: RouteFactory<Class> = { doc: classroomTeacherEndpoint, create: createTeacherRoute };
