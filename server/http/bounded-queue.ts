// Bounds costly work (password hashing, GeoPackage builds): at most `concurrency` tasks run, at
// most `maxWaiting` wait their turn, and any more are refused at once with a 503 + Retry-After
// instead of piling up memory and latency for everyone.
import { RetryLaterError } from './errors.ts';

export interface BoundedQueueOptions {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks allowed to wait for a slot; one more is refused. */
  maxWaiting: number;
  /** Seconds a refused client is told to wait (Retry-After). */
  retryAfterS: number;
  /** What is refused, for the message ("password check", "GeoPackage download"). */
  what: string;
}

export interface BoundedQueue {
  /** Runs `task` when a slot is free; throws RetryLaterError (503) when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running and waiting now (for metrics and tests). */
  load(): { running: number; waiting: number };
}

export function createBoundedQueue(options: BoundedQueueOptions): BoundedQueue {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new TypeError('concurrency must be a positive integer');
  if (!Number.isInteger(options.maxWaiting) || options.maxWaiting < 0) throw new TypeError('maxWaiting must be a non-negative integer');
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    // The slot passes straight to the next task, so `running` never dips for a newcomer to take it.
    if (next) next();
    else running -= 1;
  };
  return {
    async run(task) {
      if (running >= options.concurrency) {
        if (waiting.length >= options.maxWaiting) {
          throw new RetryLaterError(503,
            `serveur occupé (${options.what}), réessayez / server busy (${options.what}), try again shortly`, options.retryAfterS);
        }
        await new Promise<void>((ok) => waiting.push(ok));
      } else {
        running += 1;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    load: () => ({ running, waiting: waiting.length }),
  };
}
