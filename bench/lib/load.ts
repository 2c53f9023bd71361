// Load generation with autocannon on loopback: each request the next path of a fixed list
// (connections interleave over it), 8 connections, 20 s after a 5 s warm-up, whole or in slices,
// or for as long as something else lasts (`until`).
import autocannon from 'autocannon';
import { cpuOf, type ServerProcess } from './server-process.ts';
import { percentile } from './stats.ts';

export const CONNECTIONS = 8;
export const WARMUP_S = 5;
export const DURATION_S = 20;
/** measurePair cuts the 20 s in this many slices, alternating the two servers compared. */
export const ROUNDS = 4;

/** One autocannon run as it came: requests, failures (errors and timeouts apart from non-2xx), latencies in ms. */
export interface Load { total: number; errors: number; non2xx: number; latencies: number[] }

/** The figures of one or more runs pooled over `DURATION_S`. */
export interface Summary { rps: number; p50: number; p95: number; p99: number; errors: number; non2xx: number; total: number }

export interface Measured extends Summary {
  /** Server CPU (user + system) per request, in microseconds. */
  cpuUs: number;
}

/**
 * Runs autocannon on `url` for `seconds`, each request the next of `paths`, with CONNECTIONS
 * connections unless told; stops early once `until` settles.
 */
export function load(url: string, paths: readonly string[], seconds: number, options: { connections?: number; until?: Promise<unknown> } = {}): Promise<Load> {
  let next = 0;
  const latencies: number[] = [];
  return new Promise((ok, fail) => {
    const instance = autocannon({
      url, connections: options.connections ?? CONNECTIONS, duration: seconds,
      requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }],
    }, (error, result) => {
      if (error) return fail(error);
      ok({ total: result.requests.total, errors: result.errors + result.timeouts, non2xx: result.non2xx, latencies });
    });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
    const stop = () => instance.stop();
    options.until?.then(stop, stop);
  });
}

/** Pools runs that together last `seconds` (DURATION_S unless told) into one set of figures. */
export function summarize(parts: readonly Load[], seconds = DURATION_S): Summary {
  const latencies = parts.flatMap((p) => p.latencies).sort((x, y) => x - y);
  const total = parts.reduce((sum, p) => sum + p.total, 0);
  return {
    rps: total / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99),
    errors: parts.reduce((sum, p) => sum + p.errors, 0), non2xx: parts.reduce((sum, p) => sum + p.non2xx, 0), total,
  };
}

/** One server: a WARMUP_S warm-up, then one run of DURATION_S. */
export async function measure(url: string, paths: readonly string[]): Promise<Summary> {
  await load(url, paths, WARMUP_S);
  return summarize([await load(url, paths, DURATION_S)]);
}

/**
 * Two servers on the same paths, alternated in ROUNDS slices after a warm-up each, so that whatever
 * else the machine does weighs on both alike; each server's figures pool its slices.
 */
export async function measurePair(a: ServerProcess, b: ServerProcess, paths: readonly string[]): Promise<[Measured, Measured]> {
  await load(a.url, paths, WARMUP_S);
  await load(b.url, paths, WARMUP_S);
  const slices: [Load[], Load[]] = [[], []];
  const cpu = [0, 0];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, server] of [a, b].entries()) {
      const before = await cpuOf(server);
      slices[i]!.push(await load(server.url, paths, DURATION_S / ROUNDS));
      cpu[i]! += (await cpuOf(server)) - before;
    }
  }
  return slices.map((parts, i) => {
    const summary = summarize(parts);
    return { ...summary, cpuUs: cpu[i]! / Math.max(1, summary.total) };
  }) as [Measured, Measured];
}
