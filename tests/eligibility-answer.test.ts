// The French summary and the sources of the eligibility answer, built from rows made by hand, and the
// parameter parser. No database needed.
import { describe, expect, it } from 'vitest';
import { buildAnswer, frenchDate, type AnswerContext } from '../server/eligibility/eligibility-answer.ts';
import { parseEligibilityTarget } from '../server/eligibility/eligibility-params.ts';
import type { EligibilityRow, FibreAnswer } from '../server/eligibility/eligibility-sql.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { ClientError } from '../server/http/errors.ts';

const ctx: AnswerContext = { layers: createLayerRegistry(), territory: 'Montfort Communauté' };

const fibre = (overrides: Partial<FibreAnswer>): FibreAnswer => ({
  status: 'unknown', phase: null, planned_start: null, planned_end: null, operator: 'Opérateur', zone_code: 'PM-1',
  data_date: '2026-09-30', premises: [], zones: [], ...overrides,
});

const row = (overrides: Partial<EligibilityRow> & { fibre: FibreAnswer }): EligibilityRow => ({
  location: { lon: -1.94, lat: 48.18, source: 'address', label: '12 Rue de la Gare, 35137 Bédée' },
  commune: 'Bédée',
  premises_operator: null,
  premises_date: null,
  business_zone: null,
  lot: null,
  wifi: [],
  layer_dates: { addresses: '2026-11-01', wifi_hotspots: '2026-10-01', zone_lots: '2026-10-05', business_zones: '2026-10-02' },
  ...overrides,
});

const premise = { premise_id: 'IMB/1', status: 'connectable', address: '12 Rue de la Gare' };

describe('the eligibility summary', () => {
  it('says fibre is available at a connectable address, with the operator data date', () => {
    const answer = buildAnswer(ctx, row({ fibre: fibre({ status: 'connectable', premises: [premise] }), premises_date: '2026-09-30' }));
    expect(answer.summary_fr).toBe('La fibre est disponible à cette adresse (données opérateur du 30/09/2026). ' +
      "Le local est raccordable : vous pouvez souscrire une offre auprès du fournisseur d'accès de votre choix.");
  });

  it('announces the phase and the years of a planned deployment', () => {
    const answer = buildAnswer(ctx, row({ fibre: fibre({ status: 'planned', phase: 2, planned_start: '2025-01-10', planned_end: '2026-12-31' }) }));
    expect(answer.summary_fr).toContain("La fibre n'est pas encore disponible à cette adresse.");
    expect(answer.summary_fr).toContain('Déploiement prévu en phase 2, entre 2025 et 2026.');
  });

  it.each([
    ['deployed', /La fibre est déployée dans ce secteur \(données opérateur du 30\/09\/2026\)/],
    ['in_progress', /Le déploiement de la fibre est en cours à cette adresse \(phase 2, fin prévue en décembre 2026\)/],
    ['study', /son déploiement est à l'étude/],
    ['not_planned', /son déploiement n'est pas programmé à ce jour/],
    ['unknown', /Nous n'avons pas d'information sur le déploiement de la fibre à cette adresse/],
  ] as const)('has a plain French sentence for "%s"', (status, expected) => {
    const answer = buildAnswer(ctx, row({ fibre: fibre({ status, phase: 2, planned_end: '2026-12-15' }) }));
    expect(answer.summary_fr).toMatch(expected);
  });

  it('names the business zone, the lot status and the nearest wifi with its distance', () => {
    const answer = buildAnswer(ctx, row({
      location: { lon: 0, lat: 0, source: 'lot', label: 'Lot 3' },
      fibre: fibre({ status: 'deployed' }),
      business_zone: { id: 1, code: 'ZAE-1', name: 'ZA de la Nouette' },
      lot: { id: 3, lot_number: '3', status: 'available' },
      wifi: [{ name: 'Mairie – Bédée', kind: 'outdoor', distance_m: 1250 }],
    }));
    expect(answer.summary_fr).toContain("Zone d'activité : ZA de la Nouette, lot 3 (disponible).");
    expect(answer.summary_fr).toContain('Wifi public le plus proche : Mairie – Bédée (extérieur), à 1,3 km.');
    expect(answer.sources.map((s) => s.date)).toEqual(['2026-09-30', '2026-10-05', '2026-10-01']);
  });

  it('labels a clicked point with its commune and coordinates', () => {
    const answer = buildAnswer(ctx, row({ location: { lon: -1.9, lat: 48.1, source: 'point', label: null }, fibre: fibre({}) }));
    expect(answer.location.label).toBe('Bédée (48.10000, -1.90000)');
  });

  it('writes operator dates the French way', () => {
    expect(frenchDate('2026-09-30')).toBe('30/09/2026');
  });
});

describe('eligibility parameters', () => {
  it('reads exactly one location', () => {
    expect(parseEligibilityTarget({ lon: '-1.9', lat: '48.1' })).toEqual({ kind: 'point', lon: -1.9, lat: 48.1 });
    expect(parseEligibilityTarget({ address: '35023_0090_00012' })).toEqual({ kind: 'address', id: '35023_0090_00012' });
    expect(parseEligibilityTarget({ address: ' 12 rue de la Gare, Bédée ' })).toEqual({ kind: 'address_text', text: '12 rue de la Gare, Bédée' });
    expect(parseEligibilityTarget({ address: 'Bedee' })).toEqual({ kind: 'address_text', text: 'Bedee' });
    expect(parseEligibilityTarget({ parcel: '35023000ab0085' })).toEqual({ kind: 'parcel', id: '35023000AB0085' });
    expect(parseEligibilityTarget({ lot: '12' })).toEqual({ kind: 'lot', id: 12 });
  });

  it.each([
    [{}], [{ lon: '1' }], [{ lon: '1', lat: '2', lot: '3' }], [{ lon: '1e3', lat: '2' }], [{ lon: '181', lat: '0' }],
    [{ lot: '2147483648' }], [{ lot: '1.5' }], [{ parcel: '35023000AB012' }], [{ address: '' }], [{ address: 'a'.repeat(201) }], [{ address: '-- !' }],
    [{ lot: ['1', '2'] }], [{ zone: '1' }],
  ])('refuses %j with a 400', (query) => {
    expect(() => parseEligibilityTarget(query)).toThrow(ClientError);
  });
});
