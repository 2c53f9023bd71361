// Memory of another process (and of those it starts), read from Linux /proc: resident set now and peak.
import { readdirSync, readFileSync } from 'node:fs';

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

/** The processes `pid` has started (Linux /proc/<pid>/task/<tid>/children); none once it is gone. */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** Peaks of a process and of the processes it starts meanwhile (e.g. a server and its job processes), in MiB. */
export interface TreePeaks {
  /** The process's own peak (VmHWM). */
  own: number;
  /** The largest peak of any one child. */
  child: number;
  /** The largest resident set of the process and its children together, sampled at the same moment. */
  total: number;
}

/** Samples `pid` and its children every `everyMs`; the returned function stops and gives their peaks. */
export function samplePeakTreeRss(pid: number, everyMs = 25): () => TreePeaks {
  const peaks: TreePeaks = { own: 0, child: 0, total: 0 };
  const timer = setInterval(() => {
    let total = 0;
    for (const [i, p] of [pid, ...childrenOf(pid)].entries()) {
      try {
        const m = memoryOf(p);
        total += m.rss;
        if (i === 0) peaks.own = Math.max(peaks.own, m.peak);
        else peaks.child = Math.max(peaks.child, m.peak);
      } catch {
        // Gone between listing and reading.
      }
    }
    peaks.total = Math.max(peaks.total, total);
  }, everyMs);
  return () => {
    clearInterval(timer);
    return { ...peaks };
  };
}
