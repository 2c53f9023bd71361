// The open-data terms stated with every public layer: licence, publisher and each layer's source.
import type { Config } from '../../core/config.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';

export interface OpenDataTerms {
  readonly licence: { readonly name: string; readonly url: string };
  readonly publisher: string;
}

/** The terms the configuration sets (Licence Ouverte / Open Licence 2.0 by default). */
export function openDataTerms(config: Pick<Config, 'openDataLicence' | 'openDataLicenceUrl' | 'openDataPublisher'>): OpenDataTerms {
  return Object.freeze({
    licence: Object.freeze({ name: config.openDataLicence, url: config.openDataLicenceUrl }),
    publisher: config.openDataPublisher,
  });
}

/** Where a layer's data comes from: its description's source, else the publisher. */
export function layerSource(layer: LayerDef, terms: OpenDataTerms): string {
  return layer.source ?? terms.publisher;
}
