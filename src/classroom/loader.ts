import type { ClassroomStatus } from '../shared/protocol/classroom.ts';

/**
 * The only class-mode code every page loads: one `GET /classroom/status`.
 * When the server runs for a class, the student side (`student.ts`, its
 * socket and valibot) is imported; otherwise nothing more is fetched and no
 * socket is opened, so a page read alone stays inside the JavaScript budget.
 */
export async function loadClassroom(bar: HTMLElement): Promise<void> {
  // `CLASSROOM_PATHS.status`, written into the markup at build time so this module imports nothing.
  const statusUrl = bar.dataset.statusUrl;
  if (statusUrl === undefined) return;
  let status: ClassroomStatus;
  try {
    const response = await fetch(statusUrl);
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
