// Inserts the demo data into a migrated database: one statement per table, all rows as one JSON parameter.
import type { FeatureCollection, Geometry } from 'geojson';
import type { Queryable } from '../../core/db/database.ts';
import { generateDemoData, type DemoData } from './demo-data.ts';

type Columns<T extends keyof DemoData> = { [C in Exclude<keyof DemoData[T][number], 'geom'>]: string };

// SQL types of every column the generator fills (the mapped type makes the compiler check that
// none is forgotten); geometry is handled apart, generated columns are never inserted.
const COLUMNS: { [T in keyof DemoData]: Columns<T> } = {
  business_zones: { id: 'integer', code: 'text', name: 'text', commune: 'text', kind: 'text', manager: 'text', description: 'text' },
  zone_lots: {
    id: 'integer', zone_id: 'integer', lot_number: 'text', status: 'text', price_per_m2: 'numeric', option_expires_on: 'date',
    occupant_name: 'text', occupant_siret: 'text', activity: 'text', naf_code: 'text', serviced: 'boolean', water: 'boolean',
    sewer: 'boolean', electricity: 'boolean', notes: 'text',
  },
  fibre_phases: {
    id: 'integer', zone_code: 'text', phase: 'integer', status: 'text', planned_start: 'date', planned_end: 'date',
    operator: 'text', technology: 'text', premises: 'integer', data_date: 'date',
  },
  fibre_premises: {
    id: 'integer', premise_id: 'text', ban_id: 'text', address: 'text', status: 'text', pm_ref: 'text',
    operator: 'text', updated_on: 'date', source: 'text',
  },
  wifi_hotspots: { id: 'integer', name: 'text', kind: 'text', status: 'text', address: 'text', commune: 'text', operator: 'text', access: 'text' },
  incidents: {
    id: 'integer', service_code: 'text', description: 'text', status: 'text', requested_datetime: 'timestamptz',
    updated_datetime: 'timestamptz', address_string: 'text', media_url: 'text', status_notes: 'text',
    reporter_name: 'text', reporter_email: 'text', reporter_phone: 'text', published: 'boolean',
  },
  addresses: {
    id: 'text', fid: 'bigint', id_fantoir: 'text', numero: 'integer', rep: 'text', nom_voie: 'text', code_postal: 'text',
    code_insee: 'text', nom_commune: 'text', cad_parcelles: 'text[]',
  },
  parcels: { id: 'text', fid: 'bigint', commune: 'text', prefixe: 'text', section: 'text', numero: 'text', contenance: 'integer' },
};

// Zones go before the lots that reference them.
const ORDER: (keyof DemoData)[] = [
  'business_zones', 'zone_lots', 'fibre_phases', 'fibre_premises', 'wifi_hotspots', 'incidents', 'addresses', 'parcels',
];

/** Generates the demo data from the communes in the database and inserts it; returns row counts per table. */
export async function seedDemoData(db: Queryable): Promise<Record<string, number>> {
  const communes = await db.query<{ code_insee: string; nom: string; geometry: string }>(
    'SELECT code_insee, nom, ST_AsGeoJSON(geom) AS geometry FROM communes ORDER BY code_insee',
  );
  const collection: FeatureCollection = {
    type: 'FeatureCollection',
    features: communes.rows.map((r) => ({
      type: 'Feature',
      properties: { code_insee: r.code_insee, nom: r.nom },
      geometry: JSON.parse(r.geometry) as Geometry,
    })),
  };
  const data = generateDemoData(collection);
  const counts: Record<string, number> = {};
  for (const table of ORDER) {
    const columns = Object.entries(COLUMNS[table]);
    const names = columns.map(([name]) => name).join(', ');
    const result = await db.query(
      `INSERT INTO ${table} (${names}, geom)
       SELECT ${names}, ST_SetSRID(ST_GeomFromGeoJSON(geom::text), 4326)
       FROM json_to_recordset($1::json) AS r(${columns.map(([name, type]) => `${name} ${type}`).join(', ')}, geom json)`,
      [JSON.stringify(data[table])],
    );
    counts[table] = result.rowCount ?? 0;
    // Ids were given explicitly (so both databases get the same rows): move the sequences past them.
    const idColumn = 'fid' in COLUMNS[table] ? 'fid' : 'id';
    await db.query(`SELECT setval(pg_get_serial_sequence($1, $2), max(${idColumn})) FROM ${table}`, [table, idColumn]);
  }
  return counts;
}
