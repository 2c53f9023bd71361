// Whose fault an import failure is: the file's (its content, or options that do not fit it), which
// the person can fix and is told how, or the server's (database lost, disk full, a bug), which is
// logged and counted and never blamed on the file.
import { CrsError } from './crs.ts';
import type { ImportFault } from './import-summary.ts';
import { MappingError } from './mapping.ts';
import { EncodingError } from './sources/encoding.ts';
import { SourceError } from './sources/source.ts';

/** A failure of the delivery the pipeline itself finds (too many rejected rows, nothing to load…). */
export class ImportFailure extends Error {}

/** The person stopped the import (API cancel, Ctrl-C). */
export class ImportCancelled extends Error {
  constructor() {
    super('cancelled: nothing was changed');
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** Errors the readers, the mapping and the coordinate-system step raise about the file. A reader's
 *  library adds its own when the reader loads (countAsFileError), so that an import of another
 *  format does not load it (csv-parse: a tenth of a second of the CLI's start-up). */
const FILE_ERRORS: ErrorClass[] = [ImportFailure, SourceError, EncodingError, MappingError, CrsError];

/** Counts errors of `type` as the file's fault. */
export function countAsFileError(type: ErrorClass): void {
  if (!FILE_ERRORS.includes(type)) FILE_ERRORS.push(type);
}

/**
 * The fault behind an error. Database errors of class 22 (a value the column cannot hold) and 23
 * (a constraint the row breaks) come from the file's values, as does PostGIS failing to reproject
 * a coordinate; every other database error (connection lost, disk full, a missing table), every
 * system error and every unexpected exception is the server's.
 */
export function faultOf(error: unknown): ImportFault {
  if (FILE_ERRORS.some((type) => error instanceof type)) return 'file';
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    if (e.code.startsWith('22') || e.code.startsWith('23')) return 'file';
    if (e.code === 'XX000' && typeof e.message === 'string' && e.message.startsWith('transform:')) return 'file';
  }
  return 'server';
}

/** What a server fault is, in words that leak no SQL: what failed, not the statement. */
export function describeServerFault(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'ENOSPC' || code === '53100') return 'the server ran out of disk space';
  if (code === 'ENOMEM' || code === '53200') return 'the server ran out of memory';
  if (code.startsWith('08') || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03'].includes(code)) return 'the connection to the database was lost';
  if (/Connection terminated|not queryable|Client has encountered a connection error/.test(String(e?.message))) return 'the connection to the database was lost';
  return 'an internal error stopped it';
}
