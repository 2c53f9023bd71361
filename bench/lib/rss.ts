// Memory of another process, read from Linux /proc: its resident set now and its peak.
import { readFileSync } from 'node:fs';

/** Resident set now and its peak so far (VmRSS, VmHWM), in MiB; throws once the process is gone. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)![1]) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Samples a process's peak resident set every `everyMs`; the returned function stops and gives it in MiB. */
export function samplePeakRss(pid: number, everyMs = 25): () => number {
  let peak = 0;
  // VmHWM is the process's own high-water mark: sampling it often enough catches the peak.
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryOf(pid).peak);
    } catch {
      // The process has just exited.
    }
  }, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}
