// The business-zone dashboard's figures, per zone and overall: lots and area by status, occupancy and
// vacancy rates, area still for sale, share of lots covered by deployed fibre (the THD label's
// definition) and, for staff, sales by month. Computed in SQL, assembled here; CSV from the same figures.
import { stringify } from 'csv-stringify/sync';
import type { Queryable } from '../../core/db/database.ts';
import { sqlIn } from '../../core/layers/layer-sql.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';
import { lotStatusMeanings, statusesWhere } from '../../core/zae/zae-status.ts';
import { buildThdSql, type ThdRow } from '../zones/thd-sql.ts';

export interface StatusFigures {
  lots: number;
  area_m2: number;
}

export interface ZoneFigures {
  zone: { id: number; code: string; name: string } | null;
  lots_total: number;
  area_total_m2: number;
  by_status: Record<string, StatusFigures>;
  /** Sold or occupied lots over all lots (null without lots). */
  occupancy_rate: number | null;
  /** Lots on the market (available, optioned, reserved) over all lots. */
  vacancy_rate: number | null;
  /** Area of the lots for sale now (available). */
  area_available_m2: number;
  /** Lots, and lot area, covered by deployed fibre over all lots (THD label definition). */
  fibre_share_by_count: number | null;
  fibre_share_by_area: number | null;
}

export interface Dashboard {
  statuses: string[];
  overall: ZoneFigures;
  zones: ZoneFigures[];
  /** Staff only: lots sold or occupied, by month of their last status change. */
  sales_by_month?: { month: string; lots: number; area_m2: number }[];
}

const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null);
const m2 = (value: number) => Math.round(value * 10) / 10;

export function createDashboardReader(db: Queryable, layers: LayerRegistry) {
  const lots = layers.get('zone_lots')!;
  const meanings = lotStatusMeanings(lots);
  const statuses = [...meanings.keys()];
  const taken = statusesWhere(lots, (m) => m.taken);
  const thdSql = buildThdSql(layers);
  const byStatusSql = `
    SELECT z.id, z.code, z.name, l.status, count(l.id)::int AS lots, coalesce(sum(l.area_m2), 0)::float8 AS area_m2
      FROM business_zones z LEFT JOIN zone_lots l ON l.zone_id = z.id GROUP BY z.id, l.status ORDER BY z.name, z.id`;
  const salesSql = `
    SELECT to_char(date_trunc('month', l.status_changed_at), 'YYYY-MM') AS month, count(*)::int AS lots,
           coalesce(sum(l.area_m2), 0)::float8 AS area_m2
      FROM zone_lots l WHERE ${sqlIn('l.status', taken)} GROUP BY 1 ORDER BY 1`;

  const figures = (zone: ZoneFigures['zone'], rows: { status: string | null; lots: number; area_m2: number }[],
    fibre: { total: number; covered: number; area: number; coveredArea: number }): ZoneFigures => {
    const by_status = Object.fromEntries(statuses.map((s) => [s, { lots: 0, area_m2: 0 }]));
    for (const r of rows) {
      if (r.status === null) continue;
      by_status[r.status]!.lots += r.lots;
      by_status[r.status]!.area_m2 = m2(by_status[r.status]!.area_m2 + r.area_m2);
    }
    const sum = (test: (s: string) => boolean, key: keyof StatusFigures) =>
      statuses.filter(test).reduce((total, s) => total + by_status[s]![key], 0);
    const lotsTotal = sum(() => true, 'lots');
    return {
      zone,
      lots_total: lotsTotal,
      area_total_m2: m2(sum(() => true, 'area_m2')),
      by_status,
      occupancy_rate: rate(sum((s) => meanings.get(s)!.taken, 'lots'), lotsTotal),
      vacancy_rate: rate(sum((s) => meanings.get(s)!.vacant, 'lots'), lotsTotal),
      area_available_m2: m2(sum((s) => meanings.get(s)!.vacant && meanings.get(s)!.stadeComm === 'en vente', 'area_m2')),
      fibre_share_by_count: rate(fibre.covered, fibre.total),
      fibre_share_by_area: rate(fibre.coveredArea, fibre.area),
    };
  };

  return async (staff: boolean): Promise<Dashboard> => {
    const { rows } = await db.query<{ id: number; code: string; name: string; status: string | null; lots: number; area_m2: number }>(byStatusSql);
    const zoneIds = [...new Set(rows.map((r) => r.id))];
    const fibreByZone = new Map<number, { total: number; covered: number; area: number; coveredArea: number }>();
    for (const id of zoneIds) {
      const { rows: thd } = await db.query<{ body: string }>(thdSql, [id]);
      const t = JSON.parse(thd[0]!.body) as ThdRow;
      fibreByZone.set(id, { total: t.lots_total, covered: t.lots_covered, area: t.area_m2, coveredArea: t.covered_area_m2 });
    }
    const zones = zoneIds.map((id) => {
      const own = rows.filter((r) => r.id === id);
      return figures({ id, code: own[0]!.code, name: own[0]!.name }, own, fibreByZone.get(id)!);
    });
    const all = [...fibreByZone.values()].reduce((a, f) => ({
      total: a.total + f.total, covered: a.covered + f.covered, area: a.area + f.area, coveredArea: a.coveredArea + f.coveredArea,
    }), { total: 0, covered: 0, area: 0, coveredArea: 0 });
    const dashboard: Dashboard = { statuses, overall: figures(null, rows, all), zones };
    if (staff) dashboard.sales_by_month = (await db.query<{ month: string; lots: number; area_m2: number }>(salesSql)).rows;
    return dashboard;
  };
}

/** The dashboard as CSV (one line per zone, then the overall line; `;` as French spreadsheets expect). */
export function dashboardCsv(d: Dashboard): string {
  const header = ['zone_code', 'zone', 'lots_total', 'area_total_m2',
    ...d.statuses.flatMap((s) => [`lots_${s}`, `area_${s}_m2`]),
    'occupancy_rate', 'vacancy_rate', 'area_available_m2', 'fibre_share_by_count', 'fibre_share_by_area'];
  const line = (f: ZoneFigures) => [f.zone?.code ?? '', f.zone?.name ?? 'Ensemble / Overall', f.lots_total, f.area_total_m2,
    ...d.statuses.flatMap((s) => [f.by_status[s]!.lots, f.by_status[s]!.area_m2]),
    f.occupancy_rate, f.vacancy_rate, f.area_available_m2, f.fibre_share_by_count, f.fibre_share_by_area];
  const rows = [header, ...d.zones.map(line), line(d.overall)];
  let csv = `\uFEFF${stringify(rows, { delimiter: ';', record_delimiter: 'windows' })}`;
  if (d.sales_by_month) {
    csv += stringify([[], ['month', 'lots_sold', 'area_sold_m2'], ...d.sales_by_month.map((s) => [s.month, s.lots, s.area_m2])],
      { delimiter: ';', record_delimiter: 'windows' });
  }
  return csv;
}
