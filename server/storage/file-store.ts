// Uploaded files (incident photos, lot attachments) kept by key on the local disk, under DATA_DIR and
// outside the web root: each file is written under a temporary name and renamed, so a reader (or a
// restart after a crash) never sees half a file, and its content type travels in the same file.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface StoredFile {
  bytes: Buffer;
  contentType: string;
}

/** Where uploaded files live; keys are slash-separated names such as `lots/12/plan-3.pdf`. */
export interface FileStore {
  /** Stores (or replaces) the file at `key`. */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The file at `key`, or null when there is none. */
  get(key: string): Promise<StoredFile | null>;
  /** Removes the file at `key`; removing a missing file is not an error. */
  delete(key: string): Promise<void>;
}

/** One segment: starts with a letter or digit (so never `.`, `..` nor a temporary `.x.tmp` name). */
const KEY_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_SEGMENTS = 8;
/** A MIME type on one line (it is the file's first line on disk). */
const CONTENT_TYPE = /^[A-Za-z0-9][\w.+-]*\/[A-Za-z0-9][\w.+-]*$/;

/** Thrown for a key or content type the store refuses (a programming error, not a missing file). */
export class FileStoreKeyError extends Error {}

/** Checks a key and returns its segments; throws on traversal, absolute paths and odd characters. */
export function parseFileKey(key: string): string[] {
  const segments = key.split('/');
  if (segments.length > MAX_SEGMENTS || !segments.every((segment) => KEY_SEGMENT.test(segment))) {
    throw new FileStoreKeyError(`file key ${JSON.stringify(key)} must be 1 to ${MAX_SEGMENTS} segments of letters, digits, ".", "_" or "-", each starting with a letter or digit`);
  }
  return segments;
}

/** The app's own store, under DATA_DIR: what the server and its background jobs (the RGPD purge) share. */
export function createDataFileStore(dataDir: string): FileStore {
  return createLocalFileStore(join(dataDir, 'files'));
}

/** A store whose files live in `dir` (created on first write); `dir` must not be served as static files. */
export function createLocalFileStore(dir: string): FileStore {
  const pathOf = (key: string) => join(dir, ...parseFileKey(key));
  return {
    async put(key, bytes, contentType) {
      const path = pathOf(key);
      if (!CONTENT_TYPE.test(contentType)) throw new FileStoreKeyError(`content type ${JSON.stringify(contentType)} is not a MIME type`);
      await mkdir(dirname(path), { recursive: true });
      const temporary = join(dirname(path), `.${randomUUID()}.tmp`);
      try {
        await writeFile(temporary, Buffer.concat([Buffer.from(`${contentType}\n`, 'ascii'), bytes]), { flag: 'wx' });
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async get(key) {
      let raw: Buffer;
      try {
        raw = await readFile(pathOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') return null;
        throw error;
      }
      const newline = raw.indexOf(0x0a);
      return { contentType: raw.subarray(0, newline).toString('ascii'), bytes: raw.subarray(newline + 1) };
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
