// POST /api/lots/{id}/enquiries (public form: honeypot, rate limit, size limits, stored, mailed to staff
// when SMTP_URL and ENQUIRY_MAIL_TO are set); staff: GET /api/enquiries[?status=], PATCH /api/enquiries/{id}.
import Router from '@koa/router';
import type { Context } from 'koa';
import { requireStaff } from '../auth/auth.middleware.ts';
import { ClientError, badRequest, notFound } from '../http/errors.ts';
import { bodyObject, jsonBody, pathId } from '../http/json-body.ts';
import { rejectUnknownParameters, single } from '../http/params.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import type { Mailer } from '../mail/mailer.ts';
import { clientNetwork } from '../http/client-network.ts';
import { ENQUIRY_FIELDS, HoneypotFilled, parseEnquiry } from './enquiry-input.ts';
import { ENQUIRY_STATUSES, insertEnquiry, listEnquiries, purgeEnquiries, setEnquiryStatus, type EnquiryStatus } from './enquiry-store.ts';

/** Enquiries one address may send per window. */
export const ENQUIRY_LIMIT = 5;
export const ENQUIRY_WINDOW_S = 3600;
/** The form's body is small: a long message is 2,000 characters. */
const BODY_LIMIT = '16kb';

const RECEIVED = {
  status: 'received',
  message_fr: 'Votre demande a bien été envoyée. Le service développement économique vous répondra.',
  message_en: 'Your enquiry has been sent. The economic development team will answer you.',
};

/** `mailer` is the app's one outgoing-mail queue, shared with incident reporting. */
export function enquiriesRoutes({ db, config, rateLimiter }: RouteDeps, mailer: Mailer): Router {
  const router = new Router();
  const staff = requireStaff(db);

  router.post('/api/lots/:id/enquiries', jsonBody(BODY_LIMIT), async (ctx: Context) => {
    const lotId = pathId(ctx.params.id, 'lot');
    // Per network (IPv6 /64, IPv4 /24), not per address: one host holds a whole /64, and this form's
    // mail shares the one outgoing queue with incident reports.
    const verdict = await rateLimiter.hit('lot-enquiry', clientNetwork(ctx.ip), ENQUIRY_LIMIT, ENQUIRY_WINDOW_S);
    if (!verdict.allowed) {
      ctx.set('Retry-After', String(verdict.retryAfterS));
      throw new ClientError(429, 'TooManyRequests', 'trop de demandes, réessayez plus tard / too many enquiries, try again later');
    }
    let input;
    try {
      input = parseEnquiry(bodyObject(ctx, ENQUIRY_FIELDS));
    } catch (error) {
      // A bot that filled the hidden field is told what a person would be, and nothing is kept.
      if (error instanceof HoneypotFilled) {
        ctx.status = 202;
        ctx.body = RECEIVED;
        return;
      }
      throw error;
    }
    const stored = await insertEnquiry(db, lotId, input);
    if (!stored) throw notFound(`lot ${lotId} introuvable / no lot ${lotId}`);
    await purgeEnquiries(db, config.enquiryRetentionDays);
    if (mailer.enabled && config.enquiryMailTo) {
      // Not awaited: the enquiry is stored, and a slow or dead mail server must not hold up or fail
      // the answer; the mailer sends it in the background and logs a failure without the addresses.
      void mailer.send({
        to: config.enquiryMailTo,
        subject: `Demande sur ${stored.lot_label} (n° ${stored.id})`,
        text: [`Nouvelle demande n° ${stored.id} sur ${stored.lot_label}.`, '',
          `Nom : ${input.name}`, `Entreprise : ${input.company ?? '—'}`, `E-mail : ${input.email}`, `Téléphone : ${input.phone ?? '—'}`, '',
          input.message, '', 'À traiter dans la console, onglet « Demandes ».'].join('\n'),
      });
    }
    ctx.status = 202;
    ctx.body = RECEIVED;
  });

  router.get('/api/enquiries', staff, async (ctx) => {
    rejectUnknownParameters(ctx.query, ['status']);
    const status = single(ctx.query, 'status');
    if (status !== undefined && !ENQUIRY_STATUSES.includes(status as EnquiryStatus)) {
      throw badRequest(`status : new ou answered / status must be new or answered, got "${status.slice(0, 40)}"`);
    }
    await purgeEnquiries(db, config.enquiryRetentionDays);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = { retention_days: config.enquiryRetentionDays, enquiries: await listEnquiries(db, status as EnquiryStatus | undefined) };
  });

  router.patch('/api/enquiries/:id', staff, jsonBody(), async (ctx) => {
    const id = pathId(ctx.params.id, 'demande');
    const body = bodyObject(ctx, ['status']);
    if (!ENQUIRY_STATUSES.includes(body.status as EnquiryStatus)) {
      throw new ClientError(422, 'UnprocessableEntity', 'status : new ou answered / status must be new or answered', { field: 'status' });
    }
    if (!(await setEnquiryStatus(db, id, body.status as EnquiryStatus, ctx.state.user!.id as number))) throw notFound(`demande ${id} introuvable / no enquiry ${id}`);
    ctx.status = 204;
  });
  return router;
}
