// The lot rules and the edit parsers as pure functions: status workflow, option terms, SIRET and
// NAF checks, the occupant's legal category and founding date, field typing (code lists, bounds)
// from the layer description, GeoJSON checks and entity tags.
import { describe, expect, it } from 'vitest';
import { ALL_LAYERS } from '../core/layers/registry.ts';
import type { Context } from 'koa';
import pino from 'pino';
import { ClientError, errorMiddleware } from '../server/http/errors.ts';
import { RuleError } from '../core/rule-error.ts';
import { applyLotRules, checkTransition, isValidSiret, STATUS_TRANSITIONS, type LotRuleFields } from '../core/lots/lot-rules.ts';
import { NAF_SUB_CLASSES } from '../core/lots/naf-codes.ts';
import { parseFieldValues } from '../server/edits/field-values.ts';
import { MAX_POSITIONS, parseLine, parseSurface } from '../server/edits/edit-geometry.ts';
import { featureEtag, noneMatch, versionFromIfMatch } from '../server/edits/preconditions.ts';
import { OCCUPANTS } from '../server/seed/demo-territory.ts';

const lots = ALL_LAYERS.find((l) => l.id === 'zone_lots')!;
/** The status and `field` of the ClientError `fn` throws. */
function refusal(fn: () => unknown): { status: number; field?: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ClientError) return { status: error.status, field: error.details?.field };
    if (error instanceof RuleError) return { status: 422, field: error.field };
    throw error;
  }
  throw new Error('expected a refusal');
}
const lot = (changes: Partial<LotRuleFields> = {}): LotRuleFields => ({ status: 'available', option_expires_on: null, occupant_siret: null, naf_code: null, ...changes });

describe('lot status workflow', () => {
  it('allows the commercial path and its way back from an option or reservation', () => {
    for (const [from, to] of [['available', 'optioned'], ['optioned', 'reserved'], ['reserved', 'sold'], ['sold', 'occupied'], ['optioned', 'available'], ['reserved', 'available'], ['unavailable', 'available']] as const) {
      expect(() => checkTransition(from, to), `${from} → ${to}`).not.toThrow();
    }
  });

  it('lets staff withdraw a lot in any status', () => {
    for (const from of Object.keys(STATUS_TRANSITIONS) as (keyof typeof STATUS_TRANSITIONS)[]) {
      expect(() => checkTransition(from, 'unavailable')).not.toThrow();
    }
  });

  it('refuses going back from sold or occupied with a 422 on status', () => {
    expect(refusal(() => checkTransition('sold', 'available'))).toEqual({ status: 422, field: 'status' });
    expect(refusal(() => checkTransition('occupied', 'optioned'))).toEqual({ status: 422, field: 'status' });
    expect(refusal(() => checkTransition('unavailable', 'sold'))).toEqual({ status: 422, field: 'status' });
  });
});

describe('option and reservation terms', () => {
  it('requires an expiry date to option or reserve a lot', () => {
    expect(refusal(() => applyLotRules(lot(), { status: 'optioned' }, '2026-12-01'))).toEqual({ status: 422, field: 'option_expires_on' });
    expect(applyLotRules(lot(), { status: 'reserved', option_expires_on: '2027-03-31' }, '2026-12-01')).toEqual({ status: 'reserved', option_expires_on: '2027-03-31' });
  });

  it('refuses an expiry date in the past or on a lot that is not held', () => {
    expect(refusal(() => applyLotRules(lot(), { status: 'optioned', option_expires_on: '2026-11-30' }, '2026-12-01')).field).toBe('option_expires_on');
    expect(refusal(() => applyLotRules(lot(), { option_expires_on: '2027-01-01' }, '2026-12-01')).field).toBe('option_expires_on');
  });

  it('drops the term when an optioned lot is sold or goes back on the market', () => {
    const held = lot({ status: 'optioned', option_expires_on: '2027-01-31' });
    expect(applyLotRules(held, { status: 'sold' }, '2026-12-01')).toEqual({ status: 'sold', option_expires_on: null });
    expect(applyLotRules(held, { status: 'available' }, '2026-12-01')).toEqual({ status: 'available', option_expires_on: null });
  });
});

describe('SIRET and NAF checks', () => {
  it('accepts SIRETs whose Luhn check digit is right, and La Poste’s by its own rule', () => {
    expect(isValidSiret('73282932000074')).toBe(true);
    expect(isValidSiret('73282932000075')).toBe(false);
    expect(isValidSiret('7328293200007')).toBe(false);
    expect(isValidSiret('35600000000048')).toBe(true);
    expect(isValidSiret('35600000049837')).toBe(true);
    expect(isValidSiret('35600000049838')).toBe(false);
  });

  it('refuses a bad SIRET check digit and an unknown NAF code with a 422 naming the field', () => {
    expect(refusal(() => applyLotRules(lot(), { occupant_siret: '73282932000075' }, '2026-12-01'))).toEqual({ status: 422, field: 'occupant_siret' });
    expect(refusal(() => applyLotRules(lot(), { naf_code: '62.01Y' }, '2026-12-01'))).toEqual({ status: 422, field: 'naf_code' });
    expect(applyLotRules(lot(), { naf_code: '62.01Z', occupant_siret: '73282932000074' }, '2026-12-01')).toMatchObject({ naf_code: '62.01Z' });
  });

  it('refuses an occupant legal category that is not 4 INSEE digits, and a founding date to come, naming the field', () => {
    expect(refusal(() => applyLotRules(lot(), { etab_nat_juridique: 'SAS' }, '2026-12-01'))).toEqual({ status: 422, field: 'etab_nat_juridique' });
    expect(refusal(() => applyLotRules(lot(), { etab_nat_juridique: '0570' }, '2026-12-01'))).toEqual({ status: 422, field: 'etab_nat_juridique' });
    expect(refusal(() => applyLotRules(lot(), { etab_creation_date: '2026-12-02' }, '2026-12-01'))).toEqual({ status: 422, field: 'etab_creation_date' });
    expect(applyLotRules(lot(), { etab_nat_juridique: '5710', etab_creation_date: '2026-12-01' }, '2026-12-01')).toMatchObject({ etab_nat_juridique: '5710' });
  });

  it('knows the 732 NAF rév. 2 sub-classes, and every demo occupant’s code', () => {
    expect(NAF_SUB_CLASSES.size).toBe(732);
    expect(NAF_SUB_CLASSES.get('62.01Z')).toBe('Programmation informatique');
    for (const [, , naf] of OCCUPANTS) expect(NAF_SUB_CLASSES.has(naf), naf).toBe(true);
  });
});

describe('edit fields read against the layer description', () => {
  it('types values and empties blank text', () => {
    expect(parseFieldValues(lots, { price_per_m2: 21.5, serviced: true, activity: '  ', option_expires_on: '2027-02-28' }))
      .toEqual({ price_per_m2: 21.5, serviced: true, activity: null, option_expires_on: '2027-02-28' });
  });

  it('refuses computed, unknown, mistyped, out-of-list and emptied required fields, naming each', () => {
    expect(refusal(() => parseFieldValues(lots, { area_m2: 12 }))).toEqual({ status: 422, field: 'area_m2' });
    expect(refusal(() => parseFieldValues(lots, { colour: 'red' }))).toEqual({ status: 422, field: 'colour' });
    expect(refusal(() => parseFieldValues(lots, { price_per_m2: '12' }))).toEqual({ status: 422, field: 'price_per_m2' });
    expect(refusal(() => parseFieldValues(lots, { option_expires_on: '2027-02-30' }))).toEqual({ status: 422, field: 'option_expires_on' });
    expect(refusal(() => parseFieldValues(lots, { status: 'vendu' }))).toEqual({ status: 422, field: 'status' });
    expect(refusal(() => parseFieldValues(lots, { lot_number: null }))).toEqual({ status: 422, field: 'lot_number' });
    expect(refusal(() => parseFieldValues(lots, { etab_effectif_code: '99' }))).toEqual({ status: 422, field: 'etab_effectif_code' });
  });

  it('keeps an integer with a range within its bounds, naming the field', () => {
    expect(refusal(() => parseFieldValues(lots, { etab_effectif_annee: 1799 }))).toEqual({ status: 422, field: 'etab_effectif_annee' });
    expect(refusal(() => parseFieldValues(lots, { etab_effectif_annee: 2201 }))).toEqual({ status: 422, field: 'etab_effectif_annee' });
    expect(parseFieldValues(lots, { etab_effectif_annee: 2023 })).toEqual({ etab_effectif_annee: 2023 });
  });

  it('leaves the members it is told to ignore to the caller', () => {
    expect(parseFieldValues(lots, { version: 3, geometry: {}, notes: 'x' }, ['version', 'geometry'])).toEqual({ notes: 'x' });
  });
});

describe('GeoJSON from staff', () => {
  const square = { type: 'Polygon', coordinates: [[[-1.95, 48.14], [-1.949, 48.14], [-1.949, 48.141], [-1.95, 48.141], [-1.95, 48.14]]] };
  it('accepts polygons in longitude/latitude', () => {
    expect(parseSurface(square)).toEqual(square);
    expect(parseLine({ type: 'LineString', coordinates: [[-1.95, 48.1], [-1.94, 48.2]] }).type).toBe('LineString');
  });

  it('refuses unclosed rings, other types and projected coordinates with a 422 on geometry', () => {
    expect(refusal(() => parseSurface({ type: 'Polygon', coordinates: [[[-1.95, 48.14], [-1.949, 48.14], [-1.949, 48.141]]] }))).toEqual({ status: 422, field: 'geometry' });
    expect(refusal(() => parseSurface({ type: 'Point', coordinates: [-1.95, 48.14] }))).toEqual({ status: 422, field: 'geometry' });
    expect(refusal(() => parseSurface({ type: 'Polygon', coordinates: [[[330000, 6790000], [330100, 6790000], [330100, 6790100], [330000, 6790000]]] }))).toEqual({ status: 422, field: 'geometry' });
  });
});

describe('entity tags', () => {
  it('names the version in a feature’s tag and reads it back from If-Match', () => {
    const tag = featureEtag('zone_lots', 12, 3);
    expect(versionFromIfMatch(tag, 'zone_lots', 12)).toBe(3);
  });

  it('answers 428 without If-Match (or with *) and 412 for another feature’s tag', () => {
    expect(refusal(() => versionFromIfMatch(undefined, 'zone_lots', 12)).status).toBe(428);
    expect(refusal(() => versionFromIfMatch('*', 'zone_lots', 12)).status).toBe(428);
    expect(refusal(() => versionFromIfMatch(featureEtag('zone_lots', 13, 3), 'zone_lots', 12)).status).toBe(412);
  });

  it('matches If-None-Match weakly', () => {
    expect(noneMatch('W/"abc", "def"', '"abc"')).toBe(true);
    expect(noneMatch('"xyz"', '"abc"')).toBe(false);
  });
});

describe('review regressions (pure)', () => {
  const fieldOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof RuleError) return `422 ${e.field}`;
      return e instanceof ClientError ? `${e.status} ${String(e.details?.field)}` : `threw ${String(e)}`;
    }
    return 'accepted';
  };

  it('refuses a negative price per m² on price_per_m2', () => {
    expect(fieldOf(() => applyLotRules(undefined, { status: 'available', price_per_m2: -5 }, '2026-01-01'))).toBe('422 price_per_m2');
    expect(fieldOf(() => applyLotRules(undefined, { status: 'available', price_per_m2: 0 }, '2026-01-01'))).toBe('accepted');
  });

  it('answers a 422 on geometry for the inputs geojson-validation throws on, and for too many vertices', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const inputs = [
      { type: 'Polygon', coordinates: [[]] },
      { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], null]] },
      { type: 'MultiPolygon', coordinates: [[[]]] },
      { type: 'Polygon', coordinates: deep },
      { type: 'MultiPolygon', coordinates: Array.from({ length: MAX_POSITIONS * 3 }, () => []) },
      { type: 'Polygon', coordinates: [Array.from({ length: MAX_POSITIONS + 1 }, () => [0, 0])] },
    ];
    for (const input of inputs) expect(fieldOf(() => parseSurface(input))).toBe('422 geometry');
    expect(fieldOf(() => parseLine({ type: 'LineString', coordinates: deep }))).toBe('422 geometry');
    expect(fieldOf(() => parseLine({ type: 'LineString', coordinates: [[0, 0], [1, 1], [2, 2]] }, 'geometry', 2))).toBe('422 geometry');
  });

  it('maps database constraint errors to 409 / 422 without their SQL', async () => {
    const middleware = errorMiddleware(pino({ level: 'silent' }));
    for (const [code, status] of [['23505', 409], ['23514', 422], ['22003', 422], ['22P02', 422], ['42P01', 500]] as const) {
      const ctx = { method: 'POST', url: '/api/lots', path: '/api/lots', status: 200, body: undefined, state: {}, set: () => {}, remove: () => {} } as unknown as Context;
      await middleware(ctx, async () => {
        throw Object.assign(new Error('duplicate key value violates unique constraint "zone_lots_zone_id_lot_number_key"'), { code });
      });
      expect(ctx.status, code).toBe(status);
      expect(JSON.stringify(ctx.body)).not.toContain('zone_lots');
    }
  });
});
