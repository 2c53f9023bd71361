// The mails of the reporting workflow: an acknowledgement with the tracking link to a reporter who
// gave an address, a word to staff on each new report, and a word to reporter and followers on each
// public status change. Plain text; the reporter's own words are never sent to anyone else.
import type { Label } from '../../core/layers/layer-def.ts';
import type { Mailer } from '../mail/mailer.ts';

export interface IncidentMailContext {
  mailer: Mailer;
  /** Site address for links, without a trailing slash. */
  baseUrl: string;
  /** Labels of the categories and statuses, from the layer's code lists. */
  serviceLabel(code: string): Label;
  statusLabel(code: string): Label;
}

export const trackingUrl = (baseUrl: string, token: string) => `${baseUrl}/incident.html?suivi=${token}`;

/** To the reporter, right after a report: the tracking number and link. */
export function mailReportReceived(ctx: IncidentMailContext, to: string, report: { id: number; token: string; serviceCode: string }): Promise<void> {
  const link = trackingUrl(ctx.baseUrl, report.token);
  const service = ctx.serviceLabel(report.serviceCode);
  return ctx.mailer.send({
    to,
    subject: `Signalement n° ${report.id} reçu / Report #${report.id} received`,
    text: `Bonjour,\n\nVotre signalement n° ${report.id} (${service.fr}) a bien été reçu. Suivez son traitement :\n${link}\n\n` +
      `Hello,\n\nYour report #${report.id} (${service.en}) has been received. Follow it here:\n${link}\n`,
  });
}

/** To staff, for a new report: where to triage it (no reporter's details in the mail). */
export function mailStaffNewReport(ctx: IncidentMailContext, to: readonly string[], report: { id: number; serviceCode: string }): Promise<void> {
  if (to.length === 0) return Promise.resolve();
  const service = ctx.serviceLabel(report.serviceCode);
  return ctx.mailer.send({
    to,
    subject: `Nouveau signalement n° ${report.id} : ${service.fr} / New report #${report.id}: ${service.en}`,
    text: `Un nouveau signalement attend d’être traité / A new report awaits triage:\n${ctx.baseUrl}/console.html#incidents/${report.id}\n`,
  });
}

/** To the reporter and followers, when staff change a report's status. */
export function mailStatusChanged(
  ctx: IncidentMailContext, to: readonly string[], report: { id: number; status: string; statusNotes: string | null; token: string },
): Promise<void> {
  if (to.length === 0) return Promise.resolve();
  const status = ctx.statusLabel(report.status);
  const answer = report.statusNotes ? `\n\n« ${report.statusNotes} »` : '';
  const link = trackingUrl(ctx.baseUrl, report.token);
  // One mail per person: followers must not learn each other's addresses.
  return Promise.all(to.map((address) => ctx.mailer.send({
    to: address,
    subject: `Signalement n° ${report.id} : ${status.fr} / Report #${report.id}: ${status.en}`,
    text: `Bonjour,\n\nLe signalement n° ${report.id} est maintenant : ${status.fr}.${answer}\n${link}\n\n` +
      `Hello,\n\nReport #${report.id} is now: ${status.en}.\n${link}\n\n` +
      'Vous recevez ce message car vous avez laissé votre adresse avec ce signalement / You receive this because you left your address with this report.\n',
  }))).then(() => undefined);
}
