// Compares secrets (CSRF tokens) in constant time, whatever their lengths.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether `given` equals `expected`. Both are hashed first, so timingSafeEqual compares two
 *  equal-length digests and the time taken says nothing about the expected token or its length. */
export function tokensEqual(given: string | undefined, expected: string): boolean {
  return timingSafeEqual(digest(given ?? ''), digest(expected)) && given !== undefined;
}
