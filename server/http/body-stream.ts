// Response bodies produced page by page.
import { Readable } from 'node:stream';

/** A byte stream pulling one chunk at a time from the generator, so that pages are read as the client reads. */
export function streamChunks(chunks: AsyncGenerator<string>): Readable {
  return Readable.from(chunks, { objectMode: false, highWaterMark: 1 });
}
