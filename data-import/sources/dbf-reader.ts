// Streaming dBase (.dbf) reader: header, field descriptors, then one fixed-width record at a time,
// the file's size checked against its header first.
import { ChunkedFile, NEED_MORE } from './chunked-file.ts';
import type { TextDecodeFn } from './encoding.ts';
import { SourceError, formatCount } from './source.ts';

export interface DbfField {
  name: string;
  /** dBase type letter: C text, N/F number, D date, L logical (others are not read). */
  type: string;
  length: number;
  decimals: number;
  /** Byte offset inside a record (after the deletion flag). */
  offset: number;
}

export interface DbfHeader {
  recordCount: number;
  recordLength: number;
  /** Language-driver id (byte 29): says the code page when no .cpg does. */
  ldid: number;
  fields: DbfField[];
}

/** Field types whose values we read; the others (memo, binary…) are reported and skipped. */
export const READABLE_DBF_TYPES = new Set(['C', 'N', 'F', 'D', 'L']);

/** The dBase end-of-file marker, which may follow the last record. */
const EOF_MARKER = 0x1a;

/**
 * Reads a .dbf without trusting its header: the header must hold its field descriptors and their
 * terminator, the fields must fit the record, and the file must be exactly the header plus the
 * records it counts (and an optional end-of-file byte), so a cut or padded file is refused before
 * any record is read.
 */
export class DbfReader {
  private index = 0;

  private constructor(
    private readonly file: ChunkedFile,
    private readonly name: string,
    readonly header: DbfHeader,
  ) {}

  /** Opens `path`; messages call it `name` (the archive member's, not a temporary file's). */
  static async open(path: string, name: string): Promise<DbfReader> {
    const file = await ChunkedFile.open(path);
    try {
      const head = await file.read(32);
      if (head.length < 32) throw new SourceError(`${name}: not a dBase file (${head.length} bytes, shorter than a 32-byte header)`);
      const headerLength = head.readUInt16LE(8);
      if (headerLength < 33 || headerLength > file.size) {
        throw new SourceError(`${name}: the header says it is ${formatCount(headerLength)} bytes long: expected at least 33 and at most the file's ${formatCount(file.size)}`);
      }
      const header = parseDbfHeader(head, await file.read(headerLength - 32), name);
      const last = (await file.readAt(file.size - 1, 1))[0];
      const problem = dbfSizeProblem(header.recordCount, headerLength, header.recordLength, file.size, last);
      if (problem) throw new SourceError(`${name}: ${problem}`);
      return new DbfReader(file, name, header);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** The buffer record offsets point into (valid until the next refill). */
  get buffer(): Buffer {
    return this.file.buffer;
  }

  /** The next record's offset in `buffer` (deletion flag first), NEED_MORE, or undefined after the last one. */
  next(): number | undefined | typeof NEED_MORE {
    if (this.index >= this.header.recordCount) return undefined;
    const position = this.file.position;
    const at = this.file.take(this.header.recordLength);
    if (at < 0) {
      if (!this.file.atEnd) return NEED_MORE;
      throw new SourceError(`${this.name}: ends at byte ${formatCount(position)}, in record ${formatCount(this.index + 1)} of the ${formatCount(this.header.recordCount)} its header counts`);
    }
    if (this.file.buffer[at] === EOF_MARKER) {
      throw new SourceError(`${this.name}: record ${formatCount(this.index + 1)} at byte ${formatCount(position)} starts with the end-of-file marker 0x1A, but the header counts ${formatCount(this.header.recordCount)} records`);
    }
    this.index++;
    return at;
  }

  /** Buffers the next record. */
  refill(): Promise<void> {
    return this.file.refill(this.header.recordLength);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/**
 * Reads the 32-byte header `head` and the field descriptors that follow it (`descriptors`, up to
 * the header length): a 0x0D must end the descriptors, the record be at least one byte (the
 * deletion flag), and the fields fit in it.
 */
export function parseDbfHeader(head: Buffer, descriptors: Buffer, name: string): DbfHeader {
  const recordCount = head.readUInt32LE(4);
  const recordLength = head.readUInt16LE(10);
  if (recordLength < 1) throw new SourceError(`${name}: the header says records are 0 bytes long: expected at least 1 (the deletion flag)`);
  const fields: DbfField[] = [];
  let offset = 1;
  let at = 0;
  for (; at + 32 <= descriptors.length && descriptors[at] !== 0x0d; at += 32) {
    let end = at;
    while (end < at + 11 && descriptors[end] !== 0) end++;
    // Field names are ASCII by the format; latin1 keeps any stray byte visible instead of failing.
    const fieldName = descriptors.toString('latin1', at, end).trim();
    const length = descriptors[at + 16]!;
    fields.push({ name: fieldName, type: String.fromCharCode(descriptors[at + 11]!), length, decimals: descriptors[at + 17]!, offset });
    offset += length;
  }
  if (descriptors[at] !== 0x0d) {
    throw new SourceError(`${name}: no 0x0D terminator after the ${fields.length} field descriptors at byte ${formatCount(32 + at)}, inside the ${formatCount(32 + descriptors.length)}-byte header`);
  }
  if (offset > recordLength) throw new SourceError(`${name}: field lengths (${formatCount(offset)} bytes with the deletion flag) exceed the record length (${formatCount(recordLength)})`);
  return { recordCount, recordLength, ldid: head[29]!, fields };
}

/** A record flagged deleted ('*'): GDAL and ArcGIS skip those, and so do we. */
export const isDeleted = (buf: Buffer, at: number): boolean => buf[at] === 0x2a;

/** Reads one field of the record at `at`: text decoded, numbers, ISO dates, booleans; blanks are null. */
export function readDbfValue(buf: Buffer, at: number, field: DbfField, decode: TextDecodeFn): string | number | boolean | null {
  let start = at + field.offset;
  let end = start + field.length;
  while (start < end && (buf[start] === 0x20 || buf[start] === 0)) start++;
  while (end > start && (buf[end - 1] === 0x20 || buf[end - 1] === 0)) end--;
  if (start === end) return null;
  switch (field.type) {
    case 'C':
      return decode(buf, start, end);
    case 'N':
    case 'F': {
      const text = buf.toString('latin1', start, end);
      // Overflowing numbers are written as asterisks; a decimal comma appears in some French files.
      const value = Number(text.includes(',') ? text.replace(',', '.') : text);
      return Number.isFinite(value) ? value : null;
    }
    case 'D': {
      const text = buf.toString('latin1', start, end);
      if (!/^\d{8}$/.test(text) || text === '00000000') return null;
      return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
    }
    case 'L': {
      const c = String.fromCharCode(buf[start]!).toUpperCase();
      return c === 'T' || c === 'Y' ? true : c === 'F' || c === 'N' ? false : null;
    }
    default:
      return null;
  }
}

/**
 * Why a .dbf of `size` bytes disagrees with its header, or undefined: it must hold the header and
 * `count` records exactly, optionally followed by one end-of-file byte 0x1A (`last` is its last byte).
 */
export function dbfSizeProblem(count: number, headerLength: number, recordLength: number, size: number, last: number | undefined): string | undefined {
  const expected = headerLength + count * recordLength;
  if (size === expected || (size === expected + 1 && last === EOF_MARKER)) return undefined;
  const says = `the header counts ${formatCount(count)} records of ${formatCount(recordLength)} bytes after a ${formatCount(headerLength)}-byte header, ${formatCount(expected)} bytes (${formatCount(expected + 1)} with the end-of-file byte 0x1A), but the file holds ${formatCount(size)}`;
  if (size === expected + 1) return `${says}: its last byte is 0x${last!.toString(16).padStart(2, '0').toUpperCase()}, not the end-of-file byte 0x1A`;
  const marker = last === EOF_MARKER ? ', then the end-of-file byte' : '';
  const body = size - headerLength - (marker ? 1 : 0);
  if (size > expected) return `${says}: ${formatCount(body - count * recordLength)} bytes more than the records counted${marker}`;
  const rest = body % recordLength;
  return `${says}: room for ${formatCount(Math.floor(body / recordLength))} whole records${rest ? ` and ${formatCount(rest)} bytes of another` : ''}${marker}`;
}
