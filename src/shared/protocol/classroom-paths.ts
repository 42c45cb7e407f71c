/**
 * Class mode's URLs (see `classroom.ts`). Apart from the schemas so the
 * loader every page runs (`src/classroom/loader.ts`) imports them without
 * valibot.
 */
export const CLASSROOM_PATHS = {
  /** The students' socket. */
  student: '/ws/classroom',
  /** The teacher's socket: `?token=` or HTTP 403 before the upgrade. */
  teacher: '/ws/classroom/teacher',
  /** Public: `{ enabled }`, so a page knows whether to offer the join prompt. */
  status: '/classroom/status',
  /** Teacher only (`Authorization: Bearer <token>`): the class as a `ClassSnapshot`. */
  snapshot: '/classroom/teacher/snapshot',
  /** Teacher only: the class as CSV, one row per student and exercise. */
  csv: '/classroom/teacher/export.csv',
  /** The dashboard page; the token follows in the fragment (`#token=…`), which browsers never send. */
  dashboard: '/teacher/',
} as const;
