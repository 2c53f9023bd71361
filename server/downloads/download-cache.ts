// Built download files on disk, bounded in bytes: one build per file however many requests ask for
// it at once, written under a temporary name and renamed, so that no reader (nor a restart after a
// crash) ever sees half a file; a slot's older versions are removed once a newer one is in, and the
// least recently used files go first when the bound is passed. The directory belongs to one process.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** A file ready to be read; it stays readable through its handle even if it is removed meanwhile. */
export interface CachedFile {
  readonly handle: FileHandle;
  readonly size: number;
  /** Ends this reader's use of the file (once the response is done), letting it be removed again. */
  release(): void;
}

export interface DownloadCache {
  /** The size of a slot's file at `version` if it is on disk; never builds. */
  sizeOf(slot: string, version: string): number | undefined;
  /**
   * A slot's file at `version`: from disk, or made by `build(path)`, which writes the whole file at
   * `path` (a temporary name) and is shared by the requests that ask while it runs.
   */
  open(slot: string, version: string, build: (path: string) => Promise<void>): Promise<CachedFile>;
}

interface Entry {
  readonly slot: string;
  readonly size: number;
}

/** `slot~version`: slots are made of a layer id, a SRID and a format; versions are base64url. */
const FILE_NAME = /^([a-z0-9_.]+)~([\w-]+)$/;
/** Temporary files start with a dot: whatever is left of them at start-up is from a crash. */
const TEMPORARY = /^\.[\w-]+\.tmp$/;

/** Opens (and creates) the cache in `dir`, taking in the files a previous run left there. */
export function createDownloadCache(dir: string, maxBytes: number): DownloadCache {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new Error(`download files are kept in ${dir} (under DATA_DIR), which cannot be created: ${(error as Error).message}`, { cause: error });
  }
  /** Files on disk, least recently used first (a Map keeps insertion order; a use re-inserts). */
  const entries = new Map<string, Entry>();
  /** Requests holding or waiting for a file: such a file is never removed. */
  const pins = new Map<string, number>();
  /** The version of each slot built (or found) last: the others are outdated. */
  const latest = new Map<string, string>();
  const building = new Map<string, Promise<void>>();
  let total = 0;

  const nameOf = (slot: string, version: string) => `${slot}~${version}`;
  const forget = (name: string) => {
    const entry = entries.get(name);
    if (!entry) return;
    entries.delete(name);
    total -= entry.size;
  };
  const remove = (name: string) => {
    forget(name);
    rmSync(join(dir, name), { force: true });
  };
  /** Removes outdated files, then the least recently used ones while over the bound; pinned files stay. */
  const sweep = () => {
    for (const [name, entry] of entries) {
      if (pins.has(name)) continue;
      if (latest.get(entry.slot) !== name || total > maxBytes) remove(name);
    }
  };
  const pin = (name: string) => pins.set(name, (pins.get(name) ?? 0) + 1);
  const unpin = (name: string) => {
    const count = pins.get(name)! - 1;
    if (count === 0) pins.delete(name);
    else pins.set(name, count);
    sweep();
  };

  // A previous run's files, oldest first, as a first guess at their use (their times are build times).
  const found = readdirSync(dir).flatMap((name) => {
    if (TEMPORARY.test(name)) {
      rmSync(join(dir, name), { force: true });
      return [];
    }
    const match = FILE_NAME.exec(name);
    if (!match) return [];
    const { size, mtimeMs } = statSync(join(dir, name));
    return [{ name, slot: match[1]!, size, mtimeMs }];
  }).sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const { name, slot, size } of found) {
    entries.set(name, { slot, size });
    latest.set(slot, name);
    total += size;
  }
  sweep();

  const build = (name: string, slot: string, write: (path: string) => Promise<void>): Promise<void> => {
    let pending = building.get(name);
    if (pending) return pending;
    pending = (async () => {
      const temporary = join(dir, `.${randomUUID()}.tmp`);
      let size: number;
      try {
        await write(temporary);
        // On disk before it is renamed: after a power cut the name never points at missing bytes.
        const handle = await open(temporary, 'r+');
        try {
          await handle.sync();
          size = (await handle.stat()).size;
        } finally {
          await handle.close();
        }
        await rename(temporary, join(dir, name));
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      forget(name);
      entries.set(name, { slot, size });
      total += size;
      latest.set(slot, name);
      sweep();
    })().finally(() => building.delete(name));
    building.set(name, pending);
    return pending;
  };

  /** The open file, or undefined when it is not (or no longer, if removed from outside) on disk. */
  const openExisting = async (name: string): Promise<FileHandle | undefined> => {
    if (!entries.has(name)) return undefined;
    try {
      return await open(join(dir, name), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      forget(name);
      return undefined;
    }
  };

  return {
    sizeOf: (slot, version) => entries.get(nameOf(slot, version))?.size,

    async open(slot, version, write) {
      const name = nameOf(slot, version);
      // Pinned from the start, so that a build finishing meanwhile cannot sweep the file away.
      pin(name);
      let released = false;
      try {
        let handle = await openExisting(name);
        if (!handle) {
          await build(name, slot, write);
          handle = await open(join(dir, name), 'r');
        }
        const entry = entries.get(name)!;
        // Most recently used: moved to the end.
        entries.delete(name);
        entries.set(name, entry);
        return {
          handle,
          size: entry.size,
          release() {
            if (released) return;
            released = true;
            unpin(name);
          },
        };
      } catch (error) {
        unpin(name);
        throw error;
      }
    },
  };
}
