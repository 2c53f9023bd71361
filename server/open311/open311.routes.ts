// /open311/v2/…: Open311 GeoReport v2 over the incident reports — discovery, services, service
// definitions, requests (GET with the spec's filters and a near-a-point extension; POST through the
// same checks as the web form), one request by id or tracking token, and tokens — in XML or JSON by
// suffix, errors as the spec's error list.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { open311Status } from '../../core/incidents/incident-workflow.ts';
import { ClientError, notFound } from '../http/errors.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { createIncidentContext, type IncidentContext, type IncidentServices } from '../incidents/incident-context.ts';
import { textField } from '../incidents/incident-input.ts';
import { photoPath } from '../incidents/incident-photos.ts';
import { listPublic, readByToken, type PublicIncident } from '../incidents/incident-store.ts';
import { submitReport } from '../incidents/incident-submit.ts';
import { isoWithOffset } from '../incidents/incident-views.ts';
import { reportBody, withReportBody } from '../incidents/report-body.ts';
import { invalidKey, isOpen311Key, open311KeyGate } from './open311-key.ts';
import { list, render, renderErrors, splitFormat, type Open311Format, type XmlRecord, type XmlValue } from './open311-format.ts';
import { parseRequestsQuery } from './open311-params.ts';

const PREFIX = '/open311/v2';
const SPEC_URL = 'http://wiki.open311.org/GeoReport_v2';
/** When the services or this API last changed, for discovery's `changeset`. */
const CHANGESET = '2026-12-01T00:00:00+00:00';

export function open311Routes(deps: RouteDeps, services: IncidentServices): Router {
  const { db, config } = deps;
  const context = createIncidentContext(deps, services);
  const router = new Router({ prefix: PREFIX });
  router.use(open311Errors);

  const send = (ctx: Context, format: Open311Format, root: string, value: XmlValue, status = 200) => {
    const { type, body } = render(format, root, value);
    ctx.status = status;
    ctx.type = type;
    ctx.body = body;
  };

  router.get('/:file', async (ctx) => {
    const { name, format } = fileOf(ctx.params.file);
    if (name === 'discovery') {
      const base = `${context.baseUrl(ctx)}${PREFIX}`;
      return send(ctx, format, 'discovery', {
        changeset: CHANGESET,
        contact: `${config.openDataPublisher} — ${context.baseUrl(ctx)}/incident.html`,
        key_service: config.incidents.open311ApiKeys.length ? `Clé sur demande à ${config.openDataPublisher}, en paramètre api_key (dans l’URL pour un envoi avec photos) / key on request, as api_key (in the URL when sending photos)` : 'Aucune clé requise / no key required',
        endpoints: list('endpoint', [{
          specification: SPEC_URL, url: base, changeset: CHANGESET, type: 'production',
          formats: list('format', ['text/xml', 'application/json']),
        }]),
      });
    }
    if (name === 'services') {
      return send(ctx, format, 'services', list('service', context.serviceCodes.map((code) => serviceOf(context, code))));
    }
    if (name === 'requests') {
      const filter = parseRequestsQuery(ctx.query, context.serviceCodes);
      const rows = await listPublic(db, filter);
      return send(ctx, format, 'service_requests', list('request', rows.map((r) => requestOf(context, ctx, r))));
    }
    throw notFound(`${PREFIX}/${name} n’existe pas / does not exist`);
  });

  router.get('/services/:file', (ctx) => {
    const { name, format } = fileOf(ctx.params.file);
    if (!context.serviceCodes.includes(name)) throw notFound(`service_code inconnu / unknown service_code "${name.slice(0, 40)}"`);
    send(ctx, format, 'service_definition', { service_code: name, attributes: list('attribute', []) });
  });

  router.get('/requests/:file', async (ctx) => {
    const { name, format } = fileOf(ctx.params.file);
    // A published request by its number; any request, published or not, by its tracking token.
    const report = /^[1-9]\d{0,9}$/.test(name) && Number(name) <= 2147483647
      ? (await listPublic(db, { ids: [Number(name)], limit: 1 }))[0]
      : await readByToken(db, name);
    if (!report) throw notFound(`demande introuvable / no service request "${name.slice(0, 40)}"`);
    ctx.set('Cache-Control', 'no-store');
    send(ctx, format, 'service_requests', list('request', [requestOf(context, ctx, report)]));
  });

  router.get('/tokens/:file', async (ctx) => {
    const { name, format } = fileOf(ctx.params.file);
    const report = await readByToken(db, name);
    if (!report) throw notFound(`jeton inconnu / unknown token "${name.slice(0, 40)}"`);
    send(ctx, format, 'service_requests', list('request', [{ service_request_id: report.id, token: name }]));
  });

  const keys = config.incidents.open311ApiKeys;
  // The path and the key are checked before the body is read; the parser runs only for those who pass.
  const postTarget = async (ctx: Context, next: Next) => {
    if (fileOf(ctx.params.file).name !== 'requests') throw new ClientError(405, 'MethodNotAllowed', `POST ${PREFIX}/requests.{json,xml} seulement / only`);
    await next();
  };
  router.post('/:file', postTarget, open311KeyGate(keys), reportBody(config.incidents.photoMaxBytes), async (ctx) => {
    const { format } = fileOf(ctx.params.file);
    await withReportBody(ctx, async (fields, photos) => {
      if (keys.length && !ctx.state.open311KeyChecked && !isOpen311Key(keys, textField(fields, 'api_key'))) throw invalidKey();
      const report = await submitReport(context.submitDeps(ctx), ctx.ip, fields, photos);
      ctx.set('Location', `${PREFIX}/requests/${report.token}.${format}`);
      send(ctx, format, 'service_requests', list('request', [{
        service_request_id: report.id,
        token: report.token,
        service_notice: report.published ? null : 'Visible publiquement après validation par les services ; suivi par le jeton / publicly visible once staff validate it; follow it by its token',
        account_id: null,
      }]), 201);
    });
  });

  return router;
}

function fileOf(file: string | undefined): { name: string; format: Open311Format } {
  const parsed = splitFormat(file);
  if (!parsed) throw notFound('ajoutez .json ou .xml / add .json or .xml');
  return parsed;
}

function serviceOf(context: IncidentContext, code: string): XmlRecord {
  const label = context.serviceLabel(code);
  return {
    service_code: code, service_name: label.fr, description: `${label.fr} / ${label.en}`,
    metadata: false, type: 'realtime', keywords: code.replace(/_/g, ' '), group: 'incidents',
  };
}

function requestOf(context: IncidentContext, ctx: Context, r: PublicIncident): XmlRecord {
  const label = context.statusLabel(r.status);
  // Open311 has only open/closed: our finer status leads status_notes, then staff's public answer.
  const duplicate = r.status === 'duplicate' && r.duplicate_of ? ` (#${r.duplicate_of})` : '';
  const notes = `${r.status}${duplicate}: ${label.fr} / ${label.en}${r.status_notes ? ` — ${r.status_notes}` : ''}`;
  const base = context.baseUrl(ctx);
  return {
    service_request_id: r.id,
    status: open311Status(r.status),
    status_notes: notes,
    service_name: context.serviceLabel(r.service_code).fr,
    service_code: r.service_code,
    description: r.description,
    agency_responsible: null,
    service_notice: null,
    requested_datetime: isoWithOffset(r.requested_datetime),
    updated_datetime: isoWithOffset(r.updated_datetime ?? r.requested_datetime),
    expected_datetime: null,
    address: r.address_string,
    address_id: null,
    zipcode: null,
    lat: r.lat,
    long: r.lon,
    media_url: r.photo_keys[0] ? `${base}${photoPath(r.photo_keys[0])}` : r.media_url && /^https?:/.test(r.media_url) ? r.media_url : null,
  };
}

/** Errors in the spec's shape and the request's format (XML when the suffix is missing). */
async function open311Errors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    const err = error as Error & { status?: number; retryAfterS?: number };
    const status = error instanceof ClientError ? error.status : err.status && err.status >= 400 && err.status < 500 ? err.status : undefined;
    if (status === undefined) throw error;
    if (typeof err.retryAfterS === 'number') ctx.set('Retry-After', String(err.retryAfterS));
    const format: Open311Format = ctx.path.endsWith('.json') ? 'json' : 'xml';
    const { type, body } = renderErrors(format, status, err.message);
    ctx.status = status;
    ctx.type = type;
    ctx.body = body;
  }
}
