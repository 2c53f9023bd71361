// Streaming dBase (.dbf) reader: header, field descriptors, then one fixed-width record at a time.
import { ChunkedFile, NEED_MORE } from './chunked-file.ts';
import type { TextDecodeFn } from './encoding.ts';
import { SourceError } from './source.ts';

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

export class DbfReader {
  private index = 0;

  private constructor(
    private readonly file: ChunkedFile,
    readonly header: DbfHeader,
  ) {}

  static async open(path: string): Promise<DbfReader> {
    const file = await ChunkedFile.open(path);
    const head = await file.read(32);
    if (head.length < 32) throw new SourceError(`${path}: not a dBase file (too short)`);
    const recordCount = head.readUInt32LE(4);
    const headerLength = head.readUInt16LE(8);
    const recordLength = head.readUInt16LE(10);
    const ldid = head[29]!;
    const descriptors = await file.read(headerLength - 32);
    const fields: DbfField[] = [];
    let offset = 1;
    for (let at = 0; at + 32 <= descriptors.length && descriptors[at] !== 0x0d; at += 32) {
      let end = at;
      while (end < at + 11 && descriptors[end] !== 0) end++;
      // Field names are ASCII by the format; latin1 keeps any stray byte visible instead of failing.
      const name = descriptors.toString('latin1', at, end).trim();
      const length = descriptors[at + 16]!;
      fields.push({ name, type: String.fromCharCode(descriptors[at + 11]!), length, decimals: descriptors[at + 17]!, offset });
      offset += length;
    }
    if (offset > recordLength) throw new SourceError(`${path}: field lengths (${offset} bytes) exceed the record length (${recordLength})`);
    return new DbfReader(file, { recordCount, recordLength, ldid, fields });
  }

  /** The buffer record offsets point into (valid until the next refill). */
  get buffer(): Buffer {
    return this.file.buffer;
  }

  /** The next record's offset in `buffer` (deletion flag first), NEED_MORE, or undefined at the end. */
  next(): number | undefined | typeof NEED_MORE {
    if (this.index >= this.header.recordCount) return undefined;
    const length = this.header.recordLength;
    const at = this.file.take(length);
    if (at < 0) return this.file.atEnd ? undefined : NEED_MORE;
    if (this.file.buffer[at] === 0x1a) return undefined;
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
