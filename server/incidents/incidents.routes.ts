// /api/incidents…: the public report form's endpoints (report, tracking page, "me too", photos) and
// staff triage (list, read, status, publication, answer, internal notes, CSV export, one person's
// data exported or erased).
import Router from '@koa/router';
import type { Context } from 'koa';
import { stringify } from 'csv-stringify/sync';
import { requireStaff } from '../auth/auth.middleware.ts';
import { readAudit } from '../audit/audit-log.ts';
import { ClientError, notFound } from '../http/errors.ts';
import { bodyObject, jsonBody, pathId } from '../http/json-body.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { isIncidentStatus, type IncidentStatus } from '../../core/incidents/incident-workflow.ts';
import { createIncidentContext, INCIDENTS_LAYER, type IncidentServices } from './incident-context.ts';
import { invalid, parseFollower, parseStaffText } from './incident-input.ts';
import { mailStatusChanged, trackingUrl } from './incident-notify.ts';
import { photoKey, thumbKey } from './incident-photos.ts';
import {
  addFollower, addNote, changeStatus, erasePersonalData, listStaff, personalData, readByToken, readNotes, readStaff,
  recipients, updateReport,
} from './incident-store.ts';
import { countReport, submitReport, HONEYPOT_FIELD } from './incident-submit.ts';
import { publicView, staffView } from './incident-views.ts';
import { reportBody, retryAfterHeader, withReportBody } from './report-body.ts';

/** Most reports one staff list or export returns. */
const STAFF_LIST_LIMIT = 5000;

export function incidentsRoutes(deps: RouteDeps, services: IncidentServices): Router {
  const { db, config } = deps;
  const context = createIncidentContext(deps, services);
  const router = new Router({ prefix: '/api/incidents' });
  const staff = requireStaff(db);
  const json = jsonBody('32kb');
  const reportId = (raw: string | undefined) => pathId(raw, 'signalement / incident report');

  router.post('/', retryAfterHeader, reportBody(config.incidents.photoMaxBytes), async (ctx) => {
    await withReportBody(ctx, async (fields, photos) => {
      const report = await submitReport(context.submitDeps(ctx), ctx.ip, fields, photos);
      ctx.status = 201;
      ctx.set('Location', `/api/incidents/track/${report.token}`);
      ctx.body = {
        id: report.id,
        tracking_token: report.token,
        tracking_url: trackingUrl(context.baseUrl(ctx), report.token),
        published: report.published,
      };
    });
  });

  // What the privacy notice states: how long reporters' details are kept after closure.
  router.get('/privacy', (ctx) => {
    ctx.body = { retention_days: config.incidents.retentionDays };
  });

  router.get('/track/:token', async (ctx) => {
    const report = await readByToken(db, ctx.params.token ?? '');
    if (!report) throw notFound('aucun signalement avec ce numéro de suivi / no report with this tracking token');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = publicView(context, report);
  });

  router.post('/:id/follow', retryAfterHeader, jsonBody('8kb'), async (ctx) => {
    const id = reportId(ctx.params.id);
    const fields = bodyObject(ctx, ['name', 'email', 'consent', HONEYPOT_FIELD]);
    if (fields[HONEYPOT_FIELD]) throw new ClientError(400, 'InvalidParameterValue', 'refusé / refused');
    const follower = parseFollower(fields);
    if (follower.email && fields.consent !== true) {
      throw invalid('consent', 'consent : acceptez que votre adresse soit gardée pour vous informer / agree that your address is kept to inform you');
    }
    await countReport(deps, ctx.ip);
    const report = await db.transaction((tx) => addFollower(tx, id, follower));
    ctx.status = 201;
    ctx.body = publicView(context, report);
  });

  router.get('/photos/:file', async (ctx) => {
    const match = /^([0-9a-f]{24})(-thumb)?\.jpg$/.exec(ctx.params.file ?? '');
    const file = match && (await services.files.get(match[2] ? thumbKey(match[1]!) : photoKey(match[1]!)));
    if (!file) throw notFound('photo introuvable / no such photo');
    ctx.type = file.contentType;
    // A key names one re-encoded image for ever; erasing a report's photos removes the file itself.
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = file.bytes;
  });

  // ---- staff ----

  router.get('/', staff, async (ctx) => {
    ctx.body = { incidents: (await listStaff(db, staffFilter(ctx))).map((r) => staffView(context, r)) };
  });

  router.get('/export.csv', staff, async (ctx) => {
    const rows = await listStaff(db, staffFilter(ctx));
    // Staff's working list: public fields and the workflow's, no reporter's details (those are
    // exported one person at a time, on request).
    const columns = ['id', 'requested_datetime', 'service_code', 'status', 'published', 'description', 'address_string', 'lon', 'lat', 'status_notes', 'duplicate_of', 'updated_datetime', 'followers'];
    ctx.type = 'text/csv; charset=utf-8';
    ctx.attachment('signalements.csv');
    // escape_formulas: a reporter's text starting with = + - @ (a formula the spreadsheet would run
    // when staff open the file) is written after a quote, as text; numbers stay numbers.
    ctx.body = stringify(rows.map((r) => {
      const v = staffView(context, r) as Record<string, unknown>;
      return columns.map((c) => v[c] ?? '');
    }), { header: true, columns, bom: true, escape_formulas: true });
  });

  // The address travels in the body, never in a URL that access logs and proxies would keep.
  router.post('/personal-data/export', staff, json, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await personalData(db, emailOf(ctx));
  });

  router.post('/personal-data/erase', staff, json, async (ctx) => {
    const email = emailOf(ctx);
    ctx.body = await db.transaction((tx) => erasePersonalData(tx, ctx.state.user!.id, email));
  });

  router.get('/:id', staff, async (ctx) => {
    const id = reportId(ctx.params.id);
    const report = await readStaff(db, id);
    if (!report) throw notFound(`signalement introuvable / no incident report ${id}`);
    ctx.body = {
      ...staffView(context, report),
      notes: await readNotes(db, id),
      history: await readAudit(db, { layer: INCIDENTS_LAYER, featureId: id }, 200),
    };
  });

  router.post('/:id/status', staff, json, async (ctx) => {
    const id = reportId(ctx.params.id);
    const body = bodyObject(ctx, ['status', 'status_notes', 'duplicate_of']);
    if (!isIncidentStatus(body.status)) throw invalid('status', `status : une valeur parmi / one of ${context.layer.properties.find((p) => p.name === 'status')!.values!.map((v) => v.value).join(', ')}`);
    if (body.duplicate_of !== undefined && (!Number.isInteger(body.duplicate_of) || (body.duplicate_of as number) < 1)) {
      throw invalid('duplicate_of', 'duplicate_of : numéro du signalement d’origine / number of the original report');
    }
    const change = {
      status: body.status as IncidentStatus,
      statusNotes: body.status_notes === undefined ? undefined : parseStaffText(body.status_notes, 'status_notes', true),
      duplicateOf: body.duplicate_of as number | undefined,
    };
    const { after } = await db.transaction((tx) => changeStatus(tx, ctx.state.user!.id, id, change));
    void recipients(db, id).then((to) => mailStatusChanged(context.mailContext(ctx), to, {
      id, status: after.status, statusNotes: after.status_notes, token: after.tracking_token,
    }), (err: Error) => deps.log.warn({ reason: err.message, id }, 'status mail recipients not read'));
    ctx.body = staffView(context, after);
  });

  router.patch('/:id', staff, json, async (ctx) => {
    const id = reportId(ctx.params.id);
    const body = bodyObject(ctx, ['published', 'status_notes']);
    if (body.published !== undefined && typeof body.published !== 'boolean') throw invalid('published', 'published : true ou false / true or false');
    const fields = {
      published: body.published as boolean | undefined,
      statusNotes: body.status_notes === undefined ? undefined : parseStaffText(body.status_notes, 'status_notes', true),
    };
    ctx.body = staffView(context, await db.transaction((tx) => updateReport(tx, ctx.state.user!.id, id, fields)));
  });

  router.post('/:id/notes', staff, json, async (ctx) => {
    const id = reportId(ctx.params.id);
    const note = parseStaffText(bodyObject(ctx, ['note']).note, 'note', false)!;
    ctx.status = 201;
    ctx.body = await db.transaction((tx) => addNote(tx, ctx.state.user!.id, id, note));
  });

  return router;
}

function staffFilter(ctx: Context) {
  const one = (name: string) => {
    const v = ctx.query[name];
    return Array.isArray(v) ? v[0] : v || undefined;
  };
  const statusText = one('status');
  const statuses = statusText?.split(',');
  if (statuses && !statuses.every(isIncidentStatus)) throw new ClientError(400, 'InvalidParameterValue', 'status : valeurs de la liste des états / values from the status list');
  const published = one('published');
  if (published !== undefined && published !== 'true' && published !== 'false') throw new ClientError(400, 'InvalidParameterValue', 'published : true ou false / true or false');
  return {
    statuses: statuses as IncidentStatus[] | undefined,
    serviceCode: one('service_code')?.slice(0, 40),
    published: published === undefined ? undefined : published === 'true',
    limit: STAFF_LIST_LIMIT,
  };
}

function emailOf(ctx: Context): string {
  const email = bodyObject(ctx, ['email']).email;
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
    throw new ClientError(400, 'InvalidParameterValue', 'email : l’adresse de la personne / the person’s e-mail address');
  }
  return email;
}
