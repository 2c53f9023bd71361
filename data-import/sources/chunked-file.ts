// Sequential reads of a file through one reusable buffer: memory stays flat whatever the file size,
// and buffered bytes are handed out as offsets, without an allocation or an await per record.
import { open, type FileHandle } from 'node:fs/promises';

const DEFAULT_CHUNK = 1 << 20;

/** Returned by readers whose next record is not buffered yet: call their refill() and try again. */
export const NEED_MORE = Symbol('need more bytes');

export class ChunkedFile {
  private buf: Buffer;
  /** File offset of `buf[0]`. */
  private bufferAt = 0;
  private start = 0;
  private end = 0;
  private eof = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly chunk: number,
    /** The file's size when it was opened, in bytes. */
    readonly size: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(chunk, size));
  }

  static async open(path: string, chunk = DEFAULT_CHUNK): Promise<ChunkedFile> {
    const handle = await open(path, 'r');
    try {
      return new ChunkedFile(handle, chunk, (await handle.stat()).size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The buffer that take() offsets point into; valid until the next refill. */
  get buffer(): Buffer {
    return this.buf;
  }

  /** Bytes buffered and not yet taken. */
  get available(): number {
    return this.end - this.start;
  }

  /** Offset in `buffer` of the next byte to take. */
  get offset(): number {
    return this.start;
  }

  /** Offset in the file of the next byte to take. */
  get position(): number {
    return this.bufferAt + this.start;
  }

  /** Bytes of the file not taken yet, buffered or not. */
  get remaining(): number {
    return this.size - this.position;
  }

  /** True once the whole rest of the file is in the buffer (or the file turned out shorter). */
  get atEnd(): boolean {
    return this.eof || this.bufferAt + this.end >= this.size;
  }

  /** Takes `n` buffered bytes and returns their offset in `buffer`, or -1 if fewer are buffered. */
  take(n: number): number {
    if (this.end - this.start < n) return -1;
    const at = this.start;
    this.start += n;
    return at;
  }

  /**
   * Reads until `n` bytes are buffered, or the file ends. The buffer never grows past what the
   * file still holds, so a length read from a damaged header cannot make it allocate more.
   */
  async refill(n: number): Promise<void> {
    const buffered = this.end - this.start;
    const wanted = Math.min(n, this.remaining);
    if (buffered >= wanted) return;
    // Keep the unread tail at the front of a (possibly larger) buffer, then top it up.
    const size = Math.max(wanted, Math.min(this.chunk, this.remaining));
    const target = size > this.buf.length ? Buffer.allocUnsafe(size) : this.buf;
    this.buf.copy(target, 0, this.start, this.end);
    this.bufferAt += this.start;
    this.buf = target;
    this.start = 0;
    this.end = buffered;
    while (!this.eof && this.end < wanted) {
      const { bytesRead } = await this.handle.read(this.buf, this.end, this.buf.length - this.end, this.bufferAt + this.end);
      if (bytesRead === 0) this.eof = true;
      this.end += bytesRead;
    }
  }

  /** The next `n` bytes as a copy (headers), fewer at the end of the file. */
  async read(n: number): Promise<Buffer> {
    await this.refill(n);
    const count = Math.min(n, this.end - this.start);
    const at = this.take(count);
    return Buffer.from(this.buf.subarray(at, at + count));
  }

  /** `n` bytes at `position` in the file as a copy, without moving the sequential reads. */
  async readAt(position: number, n: number): Promise<Buffer> {
    const out = Buffer.alloc(Math.max(0, Math.min(n, this.size - position)));
    const { bytesRead } = await this.handle.read(out, 0, out.length, position);
    return out.subarray(0, bytesRead);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
