// The property-type registry, without a database: the import reads back what the downloads write,
// the OGC filter check and the import agree on what a value is, and both refuse what a cast would fail on.
import { describe, expect, it } from 'vitest';
import type { LayerDef, PropertyType } from '../core/layers/layer-def.ts';
import { CSV_LIST_SEPARATOR, PROPERTY_TYPES } from '../core/layers/property-types.ts';
import { Invalid, readIsoDateTime } from '../core/layers/property-values.ts';
import { ALL_LAYERS, validateLayerDef } from '../core/layers/registry.ts';
import { coerceValue } from '../data-import/coerce.ts';

const TYPES = Object.keys(PROPERTY_TYPES) as PropertyType[];

/** The JavaScript type of an imported value, in the words of `importedAs`. */
function kindOf(value: unknown): string {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? 'string[]' : typeof value;
}

// Cells of a CSV download as PostgreSQL prints each type's `csvValue` (numeric::text keeps trailing
// zeros, bool::text is true/false, to_char dates, array_to_string lists), with the value the
// import must read back from them. Keyed by type so that a new type cannot go without samples.
const CSV_CELLS: Record<PropertyType, readonly (readonly [cell: string, value: unknown])[]> = {
  text: [['Zone d’activités de la Gare', 'Zone d’activités de la Gare'], ['a;b|c', 'a;b|c'], ['0042', '0042']],
  integer: [['0', 0], ['-42', -42], ['2147483647', 2147483647]],
  number: [['12.50', 12.5], ['-0.001', -0.001], ['1234567.89', 1234567.89], ['3', 3]],
  date: [['2024-02-29', '2024-02-29'], ['1999-12-31', '1999-12-31'], ['0019-05-01', '0019-05-01']],
  datetime: [['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'], ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z']],
  boolean: [['true', true], ['false', false]],
  'text[]': [
    [`35023000AB0124${CSV_LIST_SEPARATOR}35023000AB0125`, ['35023000AB0124', '35023000AB0125']],
    ['seul', ['seul']],
  ],
};

describe('property-type registry', () => {
  it('reads back every value a CSV download writes, as the JavaScript type the loader expects', () => {
    for (const type of TYPES) {
      for (const [cell, value] of CSV_CELLS[type]) {
        const read = coerceValue(cell, type, CSV_LIST_SEPARATOR);
        expect(read, `${type} "${cell}"`).toEqual(value);
        expect(kindOf(read), `${type} "${cell}"`).toBe(PROPERTY_TYPES[type].importedAs);
      }
    }
  });

  it('accepts as an OGC filter every value a CSV download shows, so a cell can be pasted into a query', () => {
    for (const type of TYPES) {
      for (const [cell] of CSV_CELLS[type]) expect(PROPERTY_TYPES[type].acceptsFilter(cell), `${type} "${cell}"`).toBe(true);
    }
  });

  it('agrees, in the OGC filter check and the import, on which days exist', () => {
    const daysIn = (y: number, m: number) => [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    for (const y of [19, 1900, 2000, 2023, 2024]) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const iso = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
          const exists = m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
          expect(PROPERTY_TYPES.date.acceptsFilter(iso), iso).toBe(exists);
          expect(coerceValue(iso, 'date'), iso).toEqual(exists ? iso : expect.any(Invalid));
          expect(coerceValue(`${iso}T12:00:00Z`, 'datetime'), iso).toEqual(exists ? `${iso}T12:00:00.000Z` : expect.any(Invalid));
        }
      }
    }
  });

  it('reads a date-time filter and an imported date-time as the same instant, whatever the offset', () => {
    for (const raw of ['2024-06-01T08:30:00+02:00', '2024-06-01T06:30:00Z', '2024-06-01t06:30:00.000z', '2024-06-01T01:00:00.5-05:30']) {
      expect(PROPERTY_TYPES.datetime.acceptsFilter(raw), raw).toBe(true);
      expect(coerceValue(raw, 'datetime'), raw).toBe(readIsoDateTime(raw));
    }
  });

  it('refuses filter values not of the documented form, such as 1e400, NaN or 2024-13-45', () => {
    const garbage: Partial<Record<PropertyType, string[]>> = {
      // More than 15 digits could leave bigint's range; exponents and NaN are no integers.
      integer: ['', '1.5', '1e3', '1e400', 'NaN', '9999999999999999', '--1', '٤٢'],
      // numeric would take NaN, Infinity and 1e400, none of which a stored decimal equals.
      number: ['', '1e400', 'NaN', 'Infinity', '-', '1,5', '0x10', '1.0000000000000001'],
      date: ['2024-13-45', '2023-02-29', '2024-02-30', '2024-2-9', '29/02/2024', '2024-02-29T00:00:00Z'],
      // Without an offset, timestamptz would read the session's time zone.
      datetime: ['2024-02-29', '2024-02-29T12:00:00', '2024-02-29 12:00:00Z', '2024-02-30T12:00:00Z', '2024-01-01T24:00:00Z',
        '2024-01-01T23:60:00Z', '2024-01-01T12:00:00+24:00', 'now'],
      // PostgreSQL would also take yes, on, 1 and t: the API documents true and false only.
      boolean: ['yes', 'TRUE', '1', 't', ''],
    };
    for (const [type, values] of Object.entries(garbage) as [PropertyType, string[]][]) {
      for (const v of values) expect(PROPERTY_TYPES[type].acceptsFilter(v), `${type} "${v}"`).toBe(false);
    }
  });

  it('accepts integer filters up to 15 digits, all exactly representable and within bigint', () => {
    for (const v of ['0', '-1', '999999999999999', '-999999999999999', '000000000000001']) {
      expect(PROPERTY_TYPES.integer.acceptsFilter(v), v).toBe(true);
      expect(Number.isSafeInteger(Number(v)), v).toBe(true);
    }
  });

  it('refuses in the import numbers that overflow to infinity and days the calendar does not have', () => {
    expect(coerceValue('1e400', 'number')).toEqual(new Invalid('"1e400" is not a number'));
    expect(coerceValue('-1e400', 'integer')).toEqual(new Invalid('"-1e400" is not an integer'));
    expect(coerceValue('2024-02-30T10:00:00Z', 'datetime')).toEqual(new Invalid('"2024-02-30T10:00:00Z" is not an ISO 8601 date-time'));
  });

  it('lets only a date or date-time property carry a layer’s dates', () => {
    for (const layer of ALL_LAYERS.filter((l) => l.temporalProperty)) {
      const type = layer.properties.find((p) => p.name === layer.temporalProperty)!.type;
      expect(PROPERTY_TYPES[type].temporal, layer.id).toBeDefined();
    }
    const premises = ALL_LAYERS.find((l) => l.id === 'fibre_premises')!;
    const wrong: LayerDef = { ...premises, temporalProperty: 'status' };
    expect(() => validateLayerDef(wrong)).toThrow(/temporal property "status" is of type text, not a date or date-time/);
  });
});
