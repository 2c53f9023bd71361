// INSEE's bands of salaried headcount (tranches d'effectif salarié, as SIRENE gives them), which the
// CNIG ETABLISSEMENT table asks as a code (etab_effectif_code) and its label (etab_effectif_libelle):
// staff pick the code, the export writes the French label with it.
import type { CodeValue } from '../layers/layer-def.ts';
import { code } from '../layers/labels.ts';

/** The bands, smallest first; the French labels are INSEE's own wording. */
export const INSEE_HEADCOUNT_CODES: readonly CodeValue[] = [
  code('NN', 'Unité non employeuse', 'No employees during the year'),
  code('00', '0 salarié', '0 employees at year end'),
  code('01', '1 ou 2 salariés', '1 or 2 employees'),
  code('02', '3 à 5 salariés', '3 to 5 employees'),
  code('03', '6 à 9 salariés', '6 to 9 employees'),
  code('11', '10 à 19 salariés', '10 to 19 employees'),
  code('12', '20 à 49 salariés', '20 to 49 employees'),
  code('21', '50 à 99 salariés', '50 to 99 employees'),
  code('22', '100 à 199 salariés', '100 to 199 employees'),
  code('31', '200 à 249 salariés', '200 to 249 employees'),
  code('32', '250 à 499 salariés', '250 to 499 employees'),
  code('41', '500 à 999 salariés', '500 to 999 employees'),
  code('42', '1 000 à 1 999 salariés', '1,000 to 1,999 employees'),
  code('51', '2 000 à 4 999 salariés', '2,000 to 4,999 employees'),
  code('52', '5 000 à 9 999 salariés', '5,000 to 9,999 employees'),
  code('53', '10 000 salariés et plus', '10,000 employees or more'),
];

/** INSEE's label of a band code, as etab_effectif_libelle carries it; undefined for an unknown code. */
export function headcountLabel(value: string): string | undefined {
  return INSEE_HEADCOUNT_CODES.find((c) => c.value === value)?.label.fr;
}

/** A legal category (catégorie juridique) of INSEE's third level: four digits, the first not 0 (e.g. 5710 SAS). */
export const LEGAL_CATEGORY = /^[1-9]\d{3}$/;
