// The region benchmark's generated delivery (bench/data/region-files.ts): national ids unique and
// well-formed, every address on its own parcel's commune, the files the same bytes on every run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegionGrid, regionCommunes, regionSpec, writeRegionFiles } from '../bench/data/region-files.ts';

const spec = regionSpec(0.01);
const grid = new RegionGrid(spec);

describe('region benchmark data', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('gives every parcel a distinct 14-character cadastre id within its commune', () => {
    const ids = new Set<string>();
    for (let n = 0; n < spec.parcels; n++) {
      const p = grid.parcel(n);
      expect(p.id).toMatch(/^\d{5}000[A-Z]{2}\d{4}$/);
      expect(p.id.slice(0, 5)).toBe(p.commune.code);
      ids.add(p.id);
    }
    expect(ids.size).toBe(spec.parcels);
  });

  it('gives every address a distinct BAN-like id on an existing parcel', () => {
    const ids = new Set<string>();
    for (let k = 0; k < spec.addresses; k++) {
      const a = grid.address(k);
      expect(a.parcel.i + a.parcel.j * grid.columns).toBeLessThan(spec.parcels);
      expect(a.id.startsWith(`${a.parcel.commune.code}_`)).toBe(true);
      ids.add(a.id);
    }
    expect(ids.size).toBe(spec.addresses);
  });

  it('names each commune once', () => {
    const communes = [...regionCommunes(spec)];
    expect(new Set(communes.map((c) => c.code)).size).toBe(communes.length);
    expect(new Set(communes.map((c) => c.name)).size).toBe(communes.length);
    expect(communes.length).toBe(grid.communesAcross * grid.communesDown);
  });

  it('writes the same files on every run', () => {
    const [a, b] = [0, 1].map(() => {
      const dir = mkdtempSync(join(tmpdir(), 'region-files-'));
      dirs.push(dir);
      return writeRegionFiles(dir, regionSpec(0.001), () => undefined);
    });
    for (const key of ['parcels', 'addresses', 'zones', 'premises'] as const) {
      expect(readFileSync(a![key]).equals(readFileSync(b![key])), key).toBe(true);
    }
    expect(readFileSync(a!.addresses, 'utf8').split('\n').length - 2).toBe(regionSpec(0.001).addresses);
  });
});
