// The public catalogue's filters, each parsed with its bounds and a message saying what was expected.
import { badRequest } from '../http/errors.ts';
import { rejectUnknownParameters, single, type RawQuery } from '../http/params.ts';

export interface CatalogueFilter {
  zone?: number;
  commune?: string;
  areaMin?: number;
  areaMax?: number;
  priceMax?: number;
  serviced?: boolean;
  /** Only lots whose fibre answer says fibre is there (deployed or connectable). */
  fibre?: boolean;
}

export const CATALOGUE_PARAMETERS = ['zone', 'commune', 'area_min', 'area_max', 'price_max', 'serviced', 'fibre', 'lang'] as const;

function positive(query: RawQuery, name: string, max: number): number | undefined {
  const raw = single(query, name);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value > max) {
    throw badRequest(`${name} : nombre positif attendu (au plus ${max}) / ${name} must be a positive number up to ${max}, got "${raw.slice(0, 40)}"`);
  }
  return value;
}

function flag(query: RawQuery, name: string): boolean | undefined {
  const raw = single(query, name);
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw badRequest(`${name} : true ou false attendu / ${name} must be true or false, got "${raw.slice(0, 40)}"`);
}

/** Parses `?zone=&commune=&area_min=&area_max=&price_max=&serviced=&fibre=`. */
export function parseCatalogueFilter(query: RawQuery): CatalogueFilter {
  rejectUnknownParameters(query, CATALOGUE_PARAMETERS);
  const zoneRaw = single(query, 'zone');
  if (zoneRaw !== undefined && zoneRaw !== '' && !/^[1-9]\d{0,8}$/.test(zoneRaw)) {
    throw badRequest(`zone : identifiant de zone attendu / zone must be a zone id, got "${zoneRaw.slice(0, 40)}"`);
  }
  const commune = single(query, 'commune')?.trim();
  if (commune !== undefined && commune.length > 100) throw badRequest('commune : 100 caractères au plus / commune is at most 100 characters');
  const filter: CatalogueFilter = {
    zone: zoneRaw ? Number(zoneRaw) : undefined,
    commune: commune || undefined,
    areaMin: positive(query, 'area_min', 1e8),
    areaMax: positive(query, 'area_max', 1e8),
    priceMax: positive(query, 'price_max', 1e6),
    serviced: flag(query, 'serviced'),
    fibre: flag(query, 'fibre'),
  };
  if (filter.areaMin !== undefined && filter.areaMax !== undefined && filter.areaMin > filter.areaMax) {
    throw badRequest('area_min dépasse area_max / area_min is larger than area_max');
  }
  return filter;
}
