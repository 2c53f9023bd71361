// The messages between the server and an import job's process (Node IPC, structured clone).
import type { Row } from '../core/db/database.ts';
import type { ImportSummary } from './import-summary.ts';
import type { ImportOptions } from './pipeline.ts';

/** What a job's process is asked to run: the options of a queued run, and how to reach the database. */
export interface JobSpec {
  options: Omit<ImportOptions, 'onProgress' | 'signal' | 'onServerFault' | 'runner'> & { runId: number };
  /** PostGIS: the process opens its own connections. Embedded: only the server may open PGlite,
   *  so every statement goes through the server (`db` messages), each one short. */
  database: { kind: 'postgis'; url: string } | { kind: 'embedded' };
}

/** A database error as it crosses the process boundary: what fault classification and messages read. */
export interface WireError {
  message: string;
  code?: string;
  detail?: string;
  where?: string;
}

/** A statement's result as the pipeline reads it. */
export interface WireResult {
  rows: Row[];
  rowCount: number | null;
  command: string;
}

export type ToJob =
  | { type: 'start'; spec: JobSpec }
  | { type: 'db-result'; id: number; result?: WireResult; error?: WireError };

export type FromJob =
  /** One statement on its own (`query`), or inside the job's one open transaction (`tx`). */
  | { type: 'db'; id: number; op: 'query' | 'begin' | 'commit' | 'rollback'; text?: string; params?: unknown[]; tx?: boolean }
  /** How the run ended; `serverError` is the error behind a server fault, for the server's log. */
  | { type: 'done'; summary?: ImportSummary; serverError?: { message: string; stack?: string; code?: string } };
