// The local file store: round trips, refused keys (no way out of its directory), atomic replacement.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalFileStore, FileStoreKeyError, type FileStore } from '../server/storage/file-store.ts';

let root: string;
let store: FileStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'websig-files-'));
  store = createLocalFileStore(join(root, 'files'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('local file store', () => {
  it('gives back the bytes and content type it was given, including bytes that look like its header', async () => {
    const bytes = Buffer.from([0x0a, 0x00, 0xff, 0x0a, 0x41]);
    await store.put('lots/12/plan-1.pdf', bytes, 'application/pdf');
    const file = await store.get('lots/12/plan-1.pdf');
    expect(file?.contentType).toBe('application/pdf');
    expect(file?.bytes.equals(bytes)).toBe(true);
  });

  it('answers null for a missing key and deletes idempotently', async () => {
    expect(await store.get('incidents/1/photo.jpg')).toBeNull();
    await store.put('incidents/1/photo.jpg', Buffer.from('x'), 'image/jpeg');
    await store.delete('incidents/1/photo.jpg');
    await store.delete('incidents/1/photo.jpg');
    expect(await store.get('incidents/1/photo.jpg')).toBeNull();
    expect(await store.get('incidents')).toBeNull();
  });

  it('refuses keys that could leave its directory or hide as temporary files', async () => {
    await writeFile(join(root, 'secret'), 'outside');
    for (const key of ['../secret', 'a/../../secret', '/etc/passwd', '', 'a//b', '.hidden', 'a/.x.tmp', 'a\\..\\b', 'é', 'a/ b', 'a/b/c/d/e/f/g/h/i']) {
      await expect(store.put(key, Buffer.from('x'), 'text/plain'), key).rejects.toBeInstanceOf(FileStoreKeyError);
      await expect(store.get(key), key).rejects.toBeInstanceOf(FileStoreKeyError);
      await expect(store.delete(key), key).rejects.toBeInstanceOf(FileStoreKeyError);
    }
  });

  it('refuses a content type that is not a one-line MIME type', async () => {
    await expect(store.put('a.txt', Buffer.from('x'), 'text/plain\nx')).rejects.toBeInstanceOf(FileStoreKeyError);
    await expect(store.put('a.txt', Buffer.from('x'), '')).rejects.toBeInstanceOf(FileStoreKeyError);
  });

  it('replaces a file whole under concurrent writes and leaves no temporary file behind', async () => {
    const versions = Array.from({ length: 20 }, (_, i) => Buffer.alloc(64 * 1024, i));
    const reads: Promise<unknown>[] = [];
    await Promise.all(versions.map(async (bytes, i) => {
      await store.put('lots/1/big.bin', bytes, 'application/octet-stream');
      reads.push(store.get('lots/1/big.bin').then((file) => {
        expect(file?.bytes.length).toBe(64 * 1024);
        expect(new Set(file?.bytes).size).toBe(1);
        return i;
      }));
    }));
    await Promise.all(reads);
    const final = await store.get('lots/1/big.bin');
    expect(versions.some((bytes) => bytes.equals(final!.bytes))).toBe(true);
    expect(await readdir(join(root, 'files', 'lots', '1'))).toEqual(['big.bin']);
  });
});
