// One path for a new report, whether from the web form or an Open311 client: honeypot, fields,
// territory, photo checks (none of which count against the rate limit), then the per-client limit,
// then the costly part (decoding photos), storage and the mails.
import type { Config } from '../../core/config.ts';
import type { Database } from '../../core/db/database.ts';
import { ClientError } from '../http/errors.ts';
import type { RateLimiter } from '../http/rate-limiter.ts';
import type { FileStore } from '../storage/file-store.ts';
import { invalid, parseReportInput, textField } from './incident-input.ts';
import { mailReportReceived, mailStaffNewReport, type IncidentMailContext } from './incident-notify.ts';
import { checkPhotos, processPhoto, storePhoto, type PhotoUpload, type ProcessedPhoto } from './incident-photos.ts';
import { insertReport, insideTerritory } from './incident-store.ts';

/** Rate-limit bucket shared by every way of reporting (form, Open311, "me too"). */
export const REPORT_BUCKET = 'incident-report';
/** Form field a person never sees nor fills; robots that fill every field give themselves away. */
export const HONEYPOT_FIELD = 'website';

export interface SubmitDeps {
  db: Database;
  config: Config;
  rateLimiter: RateLimiter;
  files: FileStore;
  mail: IncidentMailContext;
  serviceCodes: readonly string[];
}

export interface SubmittedReport {
  id: number;
  token: string;
  published: boolean;
}

/** 429 with the seconds to wait, which the route copies into Retry-After. */
export class RateLimitedError extends ClientError {
  constructor(readonly retryAfterS: number) {
    super(429, 'TooManyRequests', `trop de signalements, réessayez dans ${Math.ceil(retryAfterS / 60)} min / too many reports, try again in ${Math.ceil(retryAfterS / 60)} min`);
  }
}

/** Counts one report of `clientKey` against the limit; throws RateLimitedError over it. */
export async function countReport(deps: Pick<SubmitDeps, 'rateLimiter' | 'config'>, clientKey: string): Promise<void> {
  const { rateLimit, rateWindowS } = deps.config.incidents;
  const verdict = await deps.rateLimiter.hit(REPORT_BUCKET, clientKey, rateLimit, rateWindowS);
  if (!verdict.allowed) throw new RateLimitedError(verdict.retryAfterS);
}

/** Checks, counts and stores one report; mails go out without being waited for. */
export async function submitReport(
  deps: SubmitDeps, clientKey: string, fields: Record<string, unknown>, uploads: readonly PhotoUpload[],
): Promise<SubmittedReport> {
  if (textField(fields, HONEYPOT_FIELD) !== undefined) {
    throw new ClientError(400, 'InvalidParameterValue', 'signalement refusé / report refused');
  }
  const input = parseReportInput(fields, deps.serviceCodes);
  if (!(await insideTerritory(deps.db, input.lon, input.lat))) {
    throw invalid('lat', 'cet emplacement est hors du territoire de Montfort Communauté : signalez-le à la commune concernée / this place is outside Montfort Communauté: report it to its own municipality');
  }
  await checkPhotos(uploads, deps.config.incidents.photoMaxBytes);
  await countReport(deps, clientKey);
  const photos: ProcessedPhoto[] = [];
  for (const upload of uploads) photos.push(await processPhoto(upload));
  for (const photo of photos) await storePhoto(deps.files, photo);
  const published = deps.config.incidents.autoPublish;
  const { id, token } = await deps.db.transaction((tx) => insertReport(tx, input, photos, published));
  if (input.email) void mailReportReceived(deps.mail, input.email, { id, token, serviceCode: input.serviceCode });
  void mailStaffNewReport(deps.mail, deps.config.incidents.staffEmails, { id, serviceCode: input.serviceCode });
  return { id, token, published };
}
