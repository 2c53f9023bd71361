// The import bench's memory figure (bench/lib/rss.ts sampleTreeCost): a process of the tree that was
// there before the work (as tsx's esbuild service is beside the app) counts only for what it grows
// by, and one started during the work (an import's job) counts whole. The sum over the tree it
// replaced counted the first whole too, and so charged the import with memory it never used.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleTreeCost, treeOf, treeRss } from '../bench/lib/rss.ts';

/** A child of the root holding `mb` MiB of touched memory until the root goes; it prints "held" once it holds them. */
const holder = (mb: number) =>
  `spawn(process.execPath, ['-e', 'globalThis.b = Buffer.alloc(${mb} * 2 ** 20, 1); console.log("held"); process.stdin.resume(); process.stdin.on("end", () => process.exit())'], { stdio: ['pipe', 'inherit', 'inherit'] })`;

/** A root that starts a 64 MiB holder at once and a 32 MiB one when told on stdin. */
const ROOT = `const { spawn } = require('node:child_process');
const first = ${holder(64)};
process.stdin.once('data', () => { ${holder(32)}; });
process.stdin.on('end', () => process.exit());`;

let root: ChildProcess | undefined;
afterEach(() => {
  root?.stdin?.end();
  root = undefined;
});

/** Resolves once the root's tree has printed "held" `n` times in all. */
function held(root: ChildProcess, n: number): Promise<void> {
  return new Promise((ok, fail) => {
    let out = '';
    const read = (d: Buffer) => {
      out += d;
      if (out.split('held').length - 1 >= n) {
        root.stdout!.off('data', read);
        ok();
      }
    };
    root.stdout!.on('data', read);
    root.once('exit', () => fail(new Error(`the root exited before ${n} holders held their memory`)));
  });
}

describe('the memory an import costs a process tree', () => {
  it('counts a process started meanwhile whole and one there before only for its growth', async () => {
    root = spawn(process.execPath, ['-e', ROOT], { stdio: ['pipe', 'pipe', 'inherit'] });
    const pid = root.pid!;
    await held(root, 1);
    const [, first] = treeOf(pid);
    const before = treeRss(pid);
    const stop = sampleTreeCost(pid, before, 10);
    root.stdin!.write('go\n');
    await held(root, 1);
    // A few samples with both holders at their size.
    await sleep(200);
    const cost = stop();
    const [, , second] = treeOf(pid);
    const secondMb = treeRss(pid).get(second!)!;

    expect(cost.started).toBeGreaterThan(32);
    expect(cost.started).toBeLessThanOrEqual(secondMb + 1);
    // The first holder's 64 MiB were there before: the figure holds the second one and the little
    // the others grew by, not the sum of the tree.
    expect(cost.othersGrowth).toBeLessThan(8);
    expect(cost.peak).toBeLessThan(secondMb + 16);
    expect(cost.peak).toBeLessThan(before.get(first!)! + secondMb);
  });
});
