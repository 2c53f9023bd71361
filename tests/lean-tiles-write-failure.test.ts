// When writing a lean tile answer fails (here a header value Node refuses), the request goes to the
// generic chain with none of the tile's headers, and the process does not die of an unhandled rejection.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadRouter } from '../core/db/read-router.ts';
import { leanPath } from '../server/http/lean-path.ts';
import { leanTileRoute } from '../server/http/lean-tiles.ts';
import { createMetrics } from '../server/http/metrics.ts';
import type { TileEndpoint } from '../server/tiles/tiles.routes.ts';

describe('a lean tile answer that cannot be written', () => {
  const handedOver: unknown[] = [];
  let url = '';
  let close = () => {};

  beforeAll(async () => {
    const tiles = {
      gzipChoice: () => false,
      answer: async () => ({
        status: 200 as const,
        headers: [['ETag', '"a"'], ['Cache-Control', 'public, max-age=31536000, immutable'], ['X-Broken', 'line\nbreak']] as [string, string][],
        body: Buffer.from('tile'),
      }),
      handOver: (_req: object, error: unknown) => void handedOver.push(error),
    } as unknown as TileEndpoint;
    const generic = (_req: IncomingMessage, res: ServerResponse) => {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ code: 'InternalServerError', description: 'generic chain' }));
    };
    const listener = leanPath([leanTileRoute(tiles)], {
      securityHeaders: [['X-Content-Type-Options', 'nosniff']], metrics: createMetrics(),
      readRouter: { hasReplicas: false } as ReadRouter, trustProxy: false,
    }, generic as Parameters<typeof leanPath>[2]);
    const server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it('is answered by the generic chain without the tile ETag or Cache-Control', async () => {
    const res = await fetch(`${url}/tiles/parcels/14/8000/5600.mvt`);
    expect(res.status).toBe(500);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('cache-control')).toBeNull();
    expect((await res.json()).description).toBe('generic chain');
    expect(handedOver).toHaveLength(1);
    expect((handedOver[0] as NodeJS.ErrnoException).code).toBe('ERR_INVALID_CHAR');
  });
});
