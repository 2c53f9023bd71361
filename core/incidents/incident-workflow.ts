// The life of an incident report: which status may follow which, which ones close a report, and how
// a status reads in Open311 (`open`/`closed`). The values are the incidents layer's code list.

/** Every status of a report, in the order of the workflow. */
export const INCIDENT_STATUSES = ['new', 'acknowledged', 'in_progress', 'resolved', 'rejected', 'duplicate'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuses that end a report: the RGPD purge delay runs from the moment one is reached. */
export const CLOSED_STATUSES: ReadonlySet<IncidentStatus> = new Set(['resolved', 'rejected', 'duplicate']);

// Forward moves, plus reopening a closed report as `acknowledged` when staff closed it by mistake
// or the problem comes back.
const NEXT: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  new: ['acknowledged', 'in_progress', 'resolved', 'rejected', 'duplicate'],
  acknowledged: ['in_progress', 'resolved', 'rejected', 'duplicate'],
  in_progress: ['resolved', 'rejected', 'duplicate'],
  resolved: ['acknowledged'],
  rejected: ['acknowledged'],
  duplicate: ['acknowledged'],
};

export function isIncidentStatus(value: unknown): value is IncidentStatus {
  return typeof value === 'string' && (INCIDENT_STATUSES as readonly string[]).includes(value);
}

/** The statuses a report in `from` may move to. */
export function nextStatuses(from: IncidentStatus): readonly IncidentStatus[] {
  return NEXT[from];
}

/** Whether staff may move a report from `from` to `to`. */
export function canMove(from: IncidentStatus, to: IncidentStatus): boolean {
  return NEXT[from].includes(to);
}

/** Open311 knows only `open` and `closed`; our finer status goes in `status_notes`. */
export function open311Status(status: IncidentStatus): 'open' | 'closed' {
  return CLOSED_STATUSES.has(status) ? 'closed' : 'open';
}
