// Reporters' photos over HTTP: a JPEG carrying GPS EXIF comes back re-encoded with no metadata at all,
// PNG and WebP are accepted, the type is read from the bytes (an HTML page named .jpg is refused),
// oversized and too many photos are refused, and thumbnails are served. Images are drawn by sharp here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

/** A 1200×900 gradient JPEG with a camera's EXIF, GPS position included. */
async function jpegWithGps(): Promise<Buffer> {
  const width = 1200;
  const height = 900;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    pixels[i * 3] = i % 256;
    pixels[i * 3 + 1] = (i >> 8) % 256;
    pixels[i * 3 + 2] = 128;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'Phone 1', Copyright: 'Camille Martin' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 8/1 30/1', GPSLongitudeRef: 'W', GPSLongitude: '1/1 57/1 0/1' },
    })
    .jpeg()
    .toBuffer();
}

const image = (format: 'png' | 'webp') =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } })[format]().toBuffer();

describe('incident photos', () => {
  let server: TestServer;
  let place: { lon: number; lat: number };

  const post = (photos: { name: string; bytes: Buffer; type?: string }[]) => {
    const form = new FormData();
    form.set('service_code', 'waste');
    form.set('lat', String(place.lat));
    form.set('long', String(place.lon));
    form.set('description', 'Dépôt sauvage de gravats');
    for (const p of photos) form.append('photos', new Blob([p.bytes], { type: p.type ?? 'image/jpeg' }), p.name);
    return fetch(`${server.url}/api/incidents`, { method: 'POST', body: form });
  };
  const photosOf = async (token: string) =>
    ((await (await fetch(`${server.url}/api/incidents/track/${token}`)).json()) as { photos: { url: string; thumb_url: string }[] }).photos;

  beforeAll(async () => {
    server = await startTestServer({ env: { INCIDENT_PHOTO_MAX_MB: '1' } });
    const { rows } = await server.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Bédée') c`);
    place = rows[0]!;
  });
  afterAll(async () => server?.close());

  it('strips every piece of metadata, GPS position included, and resizes', async () => {
    const original = await jpegWithGps();
    const before = await sharp(original).metadata();
    expect(before.exif?.toString('latin1')).toContain('TestCam');
    const res = await post([{ name: 'IMG_0001.jpg', bytes: original }]);
    expect(res.status).toBe(201);
    const { tracking_token } = (await res.json()) as { tracking_token: string };
    const [photo] = await photosOf(tracking_token);
    const stored = Buffer.from(await (await fetch(server.url + photo!.url)).arrayBuffer());
    const after = await sharp(stored).metadata();
    expect(after.format).toBe('jpeg');
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(stored.toString('latin1')).not.toMatch(/TestCam|Camille|GPS|Exif/);
    expect(Math.max(after.width!, after.height!)).toBeLessThanOrEqual(1600);
    const thumb = await sharp(Buffer.from(await (await fetch(server.url + photo!.thumb_url)).arrayBuffer())).metadata();
    expect(Math.max(thumb.width!, thumb.height!)).toBeLessThanOrEqual(320);
    expect(thumb.exif).toBeUndefined();
  });

  it('accepts PNG and WebP, stored as JPEG', async () => {
    const res = await post([{ name: 'a.png', bytes: await image('png'), type: 'image/png' }, { name: 'b.webp', bytes: await image('webp'), type: 'image/webp' }]);
    expect(res.status).toBe(201);
    const photos = await photosOf(((await res.json()) as { tracking_token: string }).tracking_token);
    expect(photos).toHaveLength(2);
    for (const p of photos) expect((await fetch(server.url + p.url)).headers.get('content-type')).toBe('image/jpeg');
  });

  it('reads the type from the bytes: an HTML page named .jpg is refused', async () => {
    const res = await post([{ name: 'photo.jpg', bytes: Buffer.from('<html><script>alert(1)</script></html>'), type: 'image/jpeg' }]);
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: 'UnsupportedMediaType', field: 'photos' });
  });

  it('refuses a photo over the size limit and a fourth photo, and stores nothing then', async () => {
    const { rows: [before] } = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents');
    const big = Buffer.concat([await image('png'), Buffer.alloc(1_200_000, 7)]);
    const oversized = await post([{ name: 'big.png', bytes: big, type: 'image/png' }]);
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toMatchObject({ code: 'PayloadTooLarge' });
    const small = await image('png');
    const four = await post([1, 2, 3, 4].map((i) => ({ name: `${i}.png`, bytes: small, type: 'image/png' })));
    expect([413, 422]).toContain(four.status);
    const { rows: [after] } = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents');
    expect(after!.n).toBe(before!.n);
  });

  it('answers 404 for a photo key that does not exist or is malformed', async () => {
    expect((await fetch(`${server.url}/api/incidents/photos/${'0'.repeat(24)}.jpg`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/incidents/photos/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
  });
});
