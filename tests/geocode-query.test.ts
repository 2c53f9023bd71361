// The search query parser: normalisation, abbreviations, house numbers, lots and cadastral
// references, and the 400s for empty or absurd queries. No database needed.
import { describe, expect, it } from 'vitest';
import { ClientError } from '../server/http/errors.ts';
import {
  normalizeSearchText, parseGeocodeLimit, parseGeocodeQuery, parseParcelRef, MAX_QUERY_LENGTH,
} from '../server/geocode/geocode-query.ts';

const refOf = (q: string) => parseParcelRef(q, normalizeSearchText(q).split(' ').filter(Boolean));

describe('search text normalisation', () => {
  it('drops accents, case, ligatures and punctuation, and splits numbers from letters', () => {
    expect(normalizeSearchText("12bis, Rue de l'Œuvre — BÉDÉE !")).toBe('12 bis rue de l oeuvre bedee');
    expect(normalizeSearchText('  Saint-Éloi   ')).toBe('saint eloi');
    expect(normalizeSearchText('ZA n°12')).toBe('za n 12');
  });
});

describe('search query parsing', () => {
  it('requires every significant word, the last also as a prefix, and leaves out stop words and street types', () => {
    const q = parseGeocodeQuery('12 rue de la Gare, Bédée');
    expect(q.strict).toBe('12 & gare & bedee');
    expect(q.strictPrefix).toBe('12 & gare & bedee:*');
    expect(q.text).toBe('12 rue de la gare bedee');
    expect(q.words).toEqual(['gare', 'bedee']);
    expect(q.numbers).toEqual(['12']);
    expect(q.houseNumber).toBe(12);
    expect(q.rep).toBeNull();
  });

  it('also corrects the word after an elision typed without its apostrophe', () => {
    expect(parseGeocodeQuery('rue du pas dane').words).toEqual(['pas', 'dane', 'ane']);
    expect(parseGeocodeQuery('rue lhorloge').words).toEqual(['lhorloge', 'horloge']);
    expect(parseGeocodeQuery('rue de la gare').words).toEqual(['gare']);
  });

  it('never matches a trailing number or lone letter as a prefix', () => {
    expect(parseGeocodeQuery('rue de la gare 12').strictPrefix).toBe('');
    expect(parseGeocodeQuery('12 rue de la g').strictPrefix).toBe('12 & rue:*');
  });

  it('expands street abbreviations and reads bis, ter and letter repetition indexes', () => {
    expect(parseGeocodeQuery('12bis r. de la gare').text).toBe('12 bis rue de la gare');
    expect(parseGeocodeQuery('12bis r. de la gare').rep).toBe('bis');
    expect(parseGeocodeQuery('3 ter av. st eloi').text).toBe('3 ter avenue saint eloi');
    expect(parseGeocodeQuery('7 b bd carnot').rep).toBe('b');
    expect(parseGeocodeQuery('7 b bd carnot').strict).toBe('7 & b & carnot');
    expect(parseGeocodeQuery('12 place').strict).toBe('12 & place');
  });

  it('takes the first short number as the house number, wherever it is', () => {
    expect(parseGeocodeQuery('bédée gare 12').houseNumber).toBe(12);
    expect(parseGeocodeQuery('35137 bedee gare').houseNumber).toBeNull();
  });

  it('reads "ZA de la Nouette lot 12" as lot 12 of a zone named "nouette"', () => {
    const q = parseGeocodeQuery('ZA de la Nouette lot n°12');
    expect(q.lot).toEqual({ number: '12', zoneText: 'za de la nouette' });
    expect(q.zoneText).toBe('nouette');
    expect(parseGeocodeQuery('lot 3').lot).toEqual({ number: '3', zoneText: '' });
    expect(parseGeocodeQuery("Parc d'activités du Bois de Montfort").zoneText).toBe('bois montfort');
  });

  it.each([
    ['Bédée AB 123', { commune: 'bedee', prefix: null, section: 'AB', numero: '0123' }],
    ['bedee ab123', { commune: 'bedee', prefix: null, section: 'AB', numero: '0123' }],
    ['AB 123 Bédée', { commune: 'bedee', prefix: null, section: 'AB', numero: '0123' }],
    ['Montfort-sur-Meu 000 ZC 7', { commune: 'montfort sur meu', prefix: '000', section: 'ZC', numero: '0007' }],
    ['Iffendic 0A 15', { commune: 'iffendic', prefix: null, section: '0A', numero: '0015' }],
    ['B 12', { commune: '', prefix: null, section: '0B', numero: '0012' }],
    ['35023000AB0123', { id: '35023000AB0123' }],
    ['35023 000 ab 0123', { id: '35023000AB0123' }],
  ])('reads the cadastral reference "%s"', (query, expected) => {
    expect(refOf(query)).toEqual(expected);
  });

  it.each(['12 rue de la gare bedee', 'bédée gare 12', 'ZA de la Nouette lot 12', 'montfort 35160', 'Bédée AB 0'])(
    'does not take "%s" for a cadastral reference',
    (query) => expect(refOf(query)).toBeNull(),
  );

  it('keeps "CH" a cadastre section and not "chemin" in a reference', () => {
    expect(parseGeocodeQuery('Bédée CH 12').parcel).toEqual({ commune: 'bedee', prefix: null, section: 'CH', numero: '0012' });
  });

  it.each([
    ['no query', undefined],
    ['an empty query', ''],
    ['blanks', '   '],
    ['only punctuation', '!!! --- ,,,'],
    ['a query longer than 200 characters', 'a'.repeat(MAX_QUERY_LENGTH + 1)],
  ])('refuses %s with a 400', (_, raw) => {
    expect(() => parseGeocodeQuery(raw)).toThrow(ClientError);
    try {
      parseGeocodeQuery(raw);
    } catch (error) {
      expect((error as ClientError).status).toBe(400);
    }
  });

  it('accepts limits from 1 to 20 and refuses the rest', () => {
    expect(parseGeocodeLimit(undefined)).toBe(10);
    expect(parseGeocodeLimit('1')).toBe(1);
    expect(parseGeocodeLimit('20')).toBe(20);
    for (const bad of ['0', '21', '-1', '1.5', 'abc', '', '1e1']) expect(() => parseGeocodeLimit(bad)).toThrow(ClientError);
  });
});
