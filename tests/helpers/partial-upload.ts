// Sends a request body the way a large or hostile upload arrives — a declared length it may never
// reach, or chunks with no length at all — and reports the answer the server gives while the body is
// still coming, with how many bytes had been sent by then.
import { request } from 'node:http';

export interface EarlyAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Body bytes written when the answer's headers arrived. */
  bytesSent: number;
}

export interface PartialUpload {
  method?: string;
  headers?: Record<string, string>;
  /** First bytes of the body (a multipart preamble, a file's first bytes). */
  head?: Buffer;
  /** The Content-Length announced; unset sends the body chunked, with no length. */
  declaredLength?: number;
  /** Filler written after `head`, 64 KiB at a time, until the answer comes or this many bytes are sent. */
  fillUpTo: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

/** Writes `head`, then filler as the socket takes it, and resolves with the first answer; the socket is
 *  then closed. Rejects when the connection ends with no answer (the server dropped it). */
export function uploadUntilAnswered(url: string, upload: PartialUpload): Promise<EarlyAnswer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const headers = { ...upload.headers, ...(upload.declaredLength !== undefined ? { 'content-length': String(upload.declaredLength) } : {}) };
    const req = request(url, { method: upload.method ?? 'POST', headers });
    req.on('response', (res) => {
      answered = true;
      const bytesSent = sent;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), bytesSent });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(new Error(`no answer, connection failed after ${sent} bytes: ${error.message}`));
    });
    const write = (bytes: Buffer) => {
      sent += bytes.length;
      return req.write(bytes);
    };
    if (upload.head) write(upload.head);
    const pump = () => {
      while (!answered && !req.destroyed && sent < upload.fillUpTo) {
        const room = Math.min(CHUNK.length, upload.fillUpTo - sent);
        if (!write(CHUNK.subarray(0, room))) {
          req.once('drain', pump);
          return;
        }
      }
      // All sent and no answer yet: the body ends here. Short of a declared length, a server that
      // waits for the rest never answers, and the test fails on its timeout.
      if (!answered && !req.destroyed) req.end();
    };
    pump();
  });
}
