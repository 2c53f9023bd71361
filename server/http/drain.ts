// Stops an HTTP server gracefully: no new connections, idle keep-alive ones closed, requests in
// flight answered; those still running after the grace period are cut.
import type { Server } from 'node:http';

/** Resolves once every connection has closed (at the latest `graceMs` after the call). */
export async function drainServer(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((ok) => server.close(() => ok()));
  // Idle keep-alive connections would hold close() open until their timeout; busy ones close
  // themselves after their response (Node sends Connection: close once close() was called).
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((ok) => {
    timer = setTimeout(() => {
      server.closeAllConnections();
      ok();
    }, graceMs);
  });
  await Promise.race([closed, late]);
  clearTimeout(timer);
}
