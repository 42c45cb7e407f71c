import { CLASSROOM_PATHS } from '../shared/protocol/classroom-paths.ts';
import type { ClassroomStatus } from '../shared/protocol/classroom.ts';

/**
 * The only class-mode code every page loads: one `GET /classroom/status`.
 * When the server runs for a class, the student side (`student.ts`, its
 * socket and valibot) is imported; otherwise nothing more is fetched and no
 * socket is opened, so a page read alone stays inside the JavaScript budget.
 */
export async function loadClassroom(bar: HTMLElement): Promise<void> {
  // The dashboard is the teacher's page: no join prompt there.
  if (location.pathname === CLASSROOM_PATHS.dashboard) return;
  let status: ClassroomStatus;
  try {
    const response = await fetch(CLASSROOM_PATHS.status);
    if (!response.ok) return;
    status = (await response.json()) as ClassroomStatus;
  } catch {
    // A static host without the demo server (or offline): no class.
    return;
  }
  if (!status.enabled) return;
  const { loadStudent } = await import('./student-entry.ts');
  (await loadStudent()).startStudent(bar);
}
