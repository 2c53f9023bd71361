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

/** `pid` and every process descending from it (its children, theirs…). */
export function treeOf(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...childrenOf(tree[i]!));
  return tree;
}

/** The resident set of each process of `pid`'s tree now, in MiB, by pid (the gone are left out). */
export function treeRss(pid: number): Map<number, number> {
  const sizes = new Map<number, number>();
  for (const p of treeOf(pid)) {
    try {
      sizes.set(p, memoryOf(p).rss);
    } catch {
      // Gone between listing and reading.
    }
  }
  return sizes;
}

/** What some work cost a process tree in memory, in MiB: the largest of its samples, and its parts at that moment. */
export interface TreeCost {
  /** Growth of the processes there before (each above its size then, never below) plus the whole of those started since. */
  peak: number;
  /** At the peak: what the root process grew by. */
  rootGrowth: number;
  /** At the peak: what the other processes there before (e.g. tsx's esbuild service) grew by. */
  othersGrowth: number;
  /** At the peak: the resident sets of the processes started since (e.g. an import's job, its own esbuild service). */
  started: number;
  /** The largest resident set any one process started since reached (VmHWM). */
  startedLargest: number;
  /** The root's own high-water mark (VmHWM), whenever it was reached. */
  rootHighWater: number;
}

/**
 * Samples the tree of `pid` every `everyMs` and gives, when stopped, what the work done meanwhile
 * cost it above `before` (treeRss() taken just before the work; an empty map counts every byte).
 * A process there before counts only for what it grew by: its size then (a server's heap, the
 * esbuild service tsx started to compile it) is not the work's; a process started since counts whole,
 * with its own children. Each process's growth is floored at zero, so a server's collected garbage
 * never hides what a new process holds.
 */
export function sampleTreeCost(pid: number, before: ReadonlyMap<number, number>, everyMs = 25): () => TreeCost {
  const cost: TreeCost = { peak: 0, rootGrowth: 0, othersGrowth: 0, started: 0, startedLargest: 0, rootHighWater: 0 };
  const sample = () => {
    let rootGrowth = 0;
    let othersGrowth = 0;
    let started = 0;
    for (const p of treeOf(pid)) {
      let m;
      try {
        m = memoryOf(p);
      } catch {
        continue;
      }
      const base = before.get(p);
      if (p === pid) {
        cost.rootHighWater = Math.max(cost.rootHighWater, m.peak);
        rootGrowth = Math.max(0, m.rss - (base ?? 0));
      } else if (base !== undefined) {
        othersGrowth += Math.max(0, m.rss - base);
      } else {
        started += m.rss;
        cost.startedLargest = Math.max(cost.startedLargest, m.peak);
      }
    }
    const total = rootGrowth + othersGrowth + started;
    if (total > cost.peak) Object.assign(cost, { peak: total, rootGrowth, othersGrowth, started });
  };
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    return { ...cost };
  };
}
