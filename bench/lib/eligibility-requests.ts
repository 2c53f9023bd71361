// The geocode and eligibility request lists the eligibility and region suites load: written from
// rows sampled over the whole bench data, the same rows on every run.
import type { Database } from '../../core/db/database.ts';
import { runGeocode } from '../../server/geocode/geocode-sql.ts';
import { parseGeocodeQuery } from '../../server/geocode/geocode-query.ts';

/** Addresses the search queries are written from, and places asked about. */
const SAMPLE = 300;


type SampledAddress = { id: string; numero: number; rep: string | null; nom_voie: string; code_postal: string; nom_commune: string; lon: number; lat: number };

/** One typo: two neighbouring letters of the street's longest word swapped. */
function withTypo(text: string): string {
  const words = text.split(' ');
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
  const k = Math.floor(longest.length / 2);
  const typo = longest.slice(0, k - 1) + longest[k] + longest[k - 1] + longest.slice(k + 1);
  return words.map((w) => (w === longest ? typo : w)).join(' ');
}

/**
 * What people type: the full label, lower case without accents, words shuffled, a typo, abbreviated
 * with punctuation, and a query still being typed (the commune cut short). One variant per address.
 */
function searchQuery(a: SampledAddress, i: number): string {
  const number = `${a.numero}${a.rep ? ` ${a.rep}` : ''}`;
  const plain = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  switch (i % 6) {
    case 0: return `${number} ${a.nom_voie}, ${a.code_postal} ${a.nom_commune}`;
    case 1: return plain(`${number} ${a.nom_voie} ${a.nom_commune}`);
    case 2: return plain(`${a.nom_commune} ${a.nom_voie.split(' ').reverse().join(' ')} ${number}`);
    case 3: return withTypo(plain(`${number} ${a.nom_voie} ${a.nom_commune}`));
    case 4: return `${number}, ${a.nom_voie.replace(/^Rue /, 'r. ').replace(/^Allée /, 'all. ')} — ${a.nom_commune}`;
    default: return plain(`${number} ${a.nom_voie} ${a.nom_commune}`).slice(0, -3);
  }
}

export async function requestLists(db: Database): Promise<{ geocode: string[]; eligibility: string[]; found: number }> {
  // Every n-th row by fid: spread over the whole territory, the same rows on every run.
  const { rows: addresses } = await db.query<SampledAddress>(
    `SELECT id, numero, rep, nom_voie, code_postal, nom_commune, ST_X(geom) AS lon, ST_Y(geom) AS lat
       FROM addresses WHERE fid % (SELECT greatest(1, count(*) / $1) FROM addresses) = 0 ORDER BY fid LIMIT $1`, [SAMPLE]);
  const { rows: parcels } = await db.query<{ id: string; lon: number; lat: number }>(
    `SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
       FROM parcels WHERE fid % (SELECT greatest(1, count(*) / $1) FROM parcels) = 0 ORDER BY fid LIMIT $1`, [SAMPLE]);
  const geocode = addresses.map((a, i) => `/api/geocode?${new URLSearchParams({ q: searchQuery(a, i), limit: '10' })}`);
  // Places asked about: addresses (their premise), parcels (the chain and the zone shares), clicked
  // points a few metres from an address (nearest premise) and inside parcels (zone only).
  const eligibility = addresses.flatMap((a, i) => {
    const parcel = parcels[i % parcels.length]!;
    return [
      `/api/eligibility?address=${encodeURIComponent(a.id)}`,
      `/api/eligibility?parcel=${parcel.id}`,
      `/api/eligibility?lon=${(a.lon + 0.00005).toFixed(7)}&lat=${a.lat.toFixed(7)}`,
      `/api/eligibility?lon=${parcel.lon.toFixed(7)}&lat=${parcel.lat.toFixed(7)}`,
    ];
  });
  // How often the searched address is in the top 3 — by label: the generated data repeats labels
  // (several parcels of a street share a number), so the very same id may be one of its twins.
  let found = 0;
  for (const [i, a] of addresses.entries()) {
    const body = await runGeocode(db, parseGeocodeQuery(searchQuery(a, i)), 3);
    const labels = (JSON.parse(body) as { features: { properties: { label: string } }[] }).features.map((f) => f.properties.label);
    if (labels.includes(`${a.numero}${a.rep ? ` ${a.rep}` : ''} ${a.nom_voie}, ${a.code_postal} ${a.nom_commune}`)) found++;
  }
  console.log(`${geocode.length} searches (searched address in the top 3 for ${found}), ${eligibility.length} eligibility requests`);
  return { geocode, eligibility, found: found / addresses.length };
}
