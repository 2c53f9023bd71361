// Drives import jobs over HTTP in tests: uploads a file, then polls the job until a condition holds
// (a bounded loop that waits between polls; no assertion ever depends on a duration).
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImportJob } from '../../data-import/import-summary.ts';
import type { StaffSession } from './staff-session.ts';

/** Polls this often… */
const POLL_MS = 100;
/** …at most this many times (ten minutes: the test's own timeout stops it first). */
const MAX_POLLS = 6000;

/** A multipart form with `file` (when given) and the text fields. */
export function importForm(file: string | undefined, fields: Record<string, string>): FormData {
  const body = new FormData();
  if (file) body.set('file', new Blob([readFileSync(file)]), file.split('/').pop());
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  return body;
}

/** POST /api/imports as `session` (with its CSRF token unless `csrf` is false). */
export function postImport(server: { url: string }, body: FormData, session: StaffSession | null, csrf = true): Promise<Response> {
  return fetch(`${server.url}/api/imports`, {
    method: 'POST',
    body,
    headers: session ? { cookie: session.cookie, ...(csrf ? { 'x-csrf-token': session.csrf } : {}) } : {},
  });
}

export interface JobAnswer {
  /** HTTP status of GET /api/imports/{id}. */
  status: number;
  /** The whole body (`{code, description, import}` for 422 and 500). */
  body: Record<string, unknown>;
  job: ImportJob;
}

/** GET /api/imports/{id}: the job, whatever the status code wraps it in. */
export async function getJob(server: { url: string }, session: StaffSession, id: number): Promise<JobAnswer> {
  const res = await fetch(`${server.url}/api/imports/${id}`, { headers: { cookie: session.cookie } });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body, job: (body.import ?? body) as ImportJob };
}

const ENDED = new Set(['succeeded', 'failed', 'cancelled']);

/** Whether a job has ended. */
export const ended = (job: ImportJob) => ENDED.has(job.status);

/** Polls job `id` until `until(job)` holds; throws, naming `what`, if the job ends first or never gets there. */
export async function pollJob(server: { url: string }, session: StaffSession, id: number, until: (job: ImportJob) => boolean, what: string): Promise<JobAnswer> {
  let last: JobAnswer | undefined;
  for (let i = 0; i < MAX_POLLS; i++) {
    last = await getJob(server, session, id);
    if (until(last.job)) return last;
    if (ended(last.job)) throw new Error(`import run ${id} ended (${last.job.status}: ${last.job.message ?? ''}) before it was ${what}`);
    await sleep(POLL_MS);
  }
  throw new Error(`import run ${id} was never ${what} (last seen: ${last?.job.status} / ${last?.job.phase})`);
}

/**
 * Polls `check` until it holds: for what a job's server does just after the job has ended
 * (removing its upload, counting it), which a client may see a moment later.
 */
export async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < MAX_POLLS; i++) {
    if (await check()) return;
    await sleep(POLL_MS);
  }
  throw new Error(`never ${what}`);
}

/** Polls job `id` until it has ended. */
export function waitForEnd(server: { url: string }, session: StaffSession, id: number): Promise<JobAnswer> {
  return pollJob(server, session, id, ended, 'ended');
}
