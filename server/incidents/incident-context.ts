// What the reporting routes (web form, staff triage, Open311) share: the categories and statuses
// from the incidents layer's code lists, the photo store and the mailer, and per request the site
// address for links.
import type { Context } from 'koa';
import type { Label, LayerDef } from '../../core/layers/layer-def.ts';
import { requestOrigin } from '../features/request-origin.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { FileStore } from '../storage/file-store.ts';
import type { IncidentMailContext } from './incident-notify.ts';
import type { SubmitDeps } from './incident-submit.ts';

export const INCIDENTS_LAYER = 'incidents';

export interface IncidentServices {
  files: FileStore;
  mailer: Mailer;
}

export interface IncidentContext {
  layer: LayerDef;
  /** Category codes, in the order of the layer's code list. */
  serviceCodes: readonly string[];
  serviceLabel(code: string): Label;
  statusLabel(code: string): Label;
  /** Site address for links: PUBLIC_BASE_URL, else the request's own. */
  baseUrl(ctx: Context): string;
  mailContext(ctx: Context): IncidentMailContext;
  submitDeps(ctx: Context): SubmitDeps;
}

export function createIncidentContext(deps: RouteDeps, services: IncidentServices): IncidentContext {
  const layer = deps.layers.get(INCIDENTS_LAYER);
  if (!layer) throw new Error(`incident reporting needs the "${INCIDENTS_LAYER}" layer`);
  const codeList = (name: string) => {
    const values = layer.properties.find((p) => p.name === name)?.values;
    if (!values) throw new Error(`incident reporting needs a code list on ${INCIDENTS_LAYER}.${name}`);
    return new Map(values.map((v) => [v.value, v.label]));
  };
  const services_ = codeList('service_code');
  const statuses = codeList('status');
  const labelOf = (map: Map<string, Label>) => (code: string): Label => map.get(code) ?? { fr: code, en: code };
  const serviceLabel = labelOf(services_);
  const statusLabel = labelOf(statuses);
  const baseUrl = (ctx: Context) => requestOrigin(ctx, deps.config.publicBaseUrl);
  const mailContext = (ctx: Context): IncidentMailContext => ({ mailer: services.mailer, baseUrl: baseUrl(ctx), serviceLabel, statusLabel });
  return {
    layer,
    serviceCodes: [...services_.keys()],
    serviceLabel,
    statusLabel,
    baseUrl,
    mailContext,
    submitDeps: (ctx) => ({
      db: deps.db, config: deps.config, rateLimiter: deps.rateLimiter, files: services.files,
      mail: mailContext(ctx), serviceCodes: [...services_.keys()],
    }),
  };
}
