// Memory of a download: the peak resident set of a fresh server process while one client downloads
// a whole layer, shared by the features and region suites.
import { memoryOf } from './rss.ts';
import { stopServerProcess, type ServerProcess } from './server-process.ts';

export interface DownloadFigures { idleRss: number; peakRss: number; mb: number; seconds: number }

/** Starts a server with `start`, downloads `path` from it once (streamed, counted, dropped) and stops it. */
export async function measureDownload(start: () => Promise<ServerProcess>, path: string): Promise<DownloadFigures> {
  const child = await start();
  try {
    const pid = child.process.pid!;
    // One small request first, so that the idle figure includes the loaded routes and a connection.
    await (await fetch(`${child.url}/ogc/collections`)).arrayBuffer();
    const idle = memoryOf(pid);
    const started = performance.now();
    const res = await fetch(child.url + path, { headers: { 'Accept-Encoding': 'identity' } });
    if (res.status !== 200 || !res.body) throw new Error(`${path}: HTTP ${res.status}`);
    let bytes = 0;
    const reader = res.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.length;
    const seconds = (performance.now() - started) / 1000;
    const after = memoryOf(pid);
    const figures = { idleRss: idle.rss, peakRss: after.peak, mb: bytes / 2 ** 20, seconds };
    console.log(`${path.padEnd(34)} ${figures.mb.toFixed(1)} MiB in ${seconds.toFixed(1)} s; server RSS idle ` +
      `${idle.rss.toFixed(0)} MiB, peak ${after.peak.toFixed(0)} MiB (startup peak before the download ${idle.peak.toFixed(0)} MiB)`);
    return figures;
  } finally {
    await stopServerProcess(child);
  }
}
