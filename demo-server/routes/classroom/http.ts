import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteContext } from '../../core/route.ts';
import { sendError, sendJson } from '../../http/json-response.ts';
import { CLASSROOM_PATHS, type ClassroomStatus } from '../../../src/shared/protocol/classroom.ts';
import { classOf } from './class.ts';

const TEACHER_PATHS: ReadonlySet<string> = new Set([CLASSROOM_PATHS.snapshot, CLASSROOM_PATHS.csv]);

/** The token of `Authorization: Bearer <token>`, or `null`. */
function bearerToken(request: IncomingMessage): string | null {
  const match = /^Bearer +(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? null;
}

/**
 * `/classroom/status` (public: is class mode on?) and the teacher's
 * `/classroom/teacher/snapshot` and `/export.csv`, which need
 * `Authorization: Bearer <teacher token>`: 403 without it, for anyone
 * (a student's key is not a teacher token). 404 when class mode is off.
 * Returns `false` for other paths.
 */
export function handleClassroomHttp(context: RouteContext, request: IncomingMessage, response: ServerResponse, url: URL): boolean {
  const isStatus = url.pathname === CLASSROOM_PATHS.status;
  if (!isStatus && !TEACHER_PATHS.has(url.pathname)) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendError(response, 405, `${url.pathname} answers GET only`, { allow: 'GET, HEAD' });
    return true;
  }
  const classroom = classOf(context);
  if (isStatus) {
    sendJson(response, 200, { enabled: classroom !== null } satisfies ClassroomStatus);
    return true;
  }
  if (classroom === null) {
    sendError(response, 404, 'class mode is off: start the server with --classroom');
    return true;
  }
  if (!classroom.isTeacher(bearerToken(request))) {
    sendError(response, 403, 'the teacher token is missing or wrong: send Authorization: Bearer <the token printed at start>');
    return true;
  }
  if (url.pathname === CLASSROOM_PATHS.snapshot) {
    sendJson(response, 200, classroom.snapshot());
    return true;
  }
  const day = new Date().toISOString().slice(0, 10);
  response.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="socketbook-class-${day}.csv"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(classroom.store.csv());
  return true;
}
