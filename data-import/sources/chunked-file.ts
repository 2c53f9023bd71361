// Sequential reads of a file through one reusable buffer: memory stays flat whatever the file size,
// and buffered bytes are handed out as offsets, without an allocation or an await per record.
import { open, type FileHandle } from 'node:fs/promises';

const DEFAULT_CHUNK = 1 << 20;

/** Returned by readers whose next record is not buffered yet: call their refill() and try again. */
export const NEED_MORE = Symbol('need more bytes');

export class ChunkedFile {
  private buf: Buffer;
  private start = 0;
  private end = 0;
  private eof = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly chunk: number,
  ) {
    this.buf = Buffer.allocUnsafe(chunk);
  }

  static async open(path: string, chunk = DEFAULT_CHUNK): Promise<ChunkedFile> {
    return new ChunkedFile(await open(path, 'r'), chunk);
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

  /** True once the whole rest of the file is in the buffer. */
  get atEnd(): boolean {
    return this.eof;
  }

  /** Takes `n` buffered bytes and returns their offset in `buffer`, or -1 if fewer are buffered. */
  take(n: number): number {
    if (this.end - this.start < n) return -1;
    const at = this.start;
    this.start += n;
    return at;
  }

  /** Reads until `n` bytes are buffered, or the file ends. */
  async refill(n: number): Promise<void> {
    const remaining = this.end - this.start;
    if (remaining >= n) return;
    // Keep the unread tail at the front of a (possibly larger) buffer, then top it up.
    const target = Math.max(this.chunk, n) > this.buf.length ? Buffer.allocUnsafe(Math.max(this.chunk, n)) : this.buf;
    this.buf.copy(target, 0, this.start, this.end);
    this.buf = target;
    this.start = 0;
    this.end = remaining;
    while (!this.eof && this.end < n) {
      const { bytesRead } = await this.handle.read(this.buf, this.end, this.buf.length - this.end, null);
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

  async close(): Promise<void> {
    await this.handle.close();
  }
}
