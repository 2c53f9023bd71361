// What a test file that imports files needs: its own database and a scratch directory for the files
// it writes, opened before its tests and removed after them.
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../core/db/database.ts';
import { tempDir } from './import-fixtures.ts';
import { openTestDatabase } from './test-db.ts';

export interface ImportTestBed {
  db: Database;
  /** The scratch directory's path. */
  dir: string;
}

/** Opens the bed before the file's (or the describe block's) tests and hands it to `ready`; removes it after them. */
export function useImportTestBed(ready: (bed: ImportTestBed) => void): void {
  let db: Database | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  beforeAll(async () => {
    db = await openTestDatabase();
    tmp = tempDir();
    ready({ db, dir: tmp.dir });
  });
  afterAll(async () => {
    await db?.close();
    tmp?.cleanup();
  });
}
