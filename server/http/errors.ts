// Maps every error to the JSON error shape `{code, description}`; logs the unexpected ones once.
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { RuleError } from '../../core/rule-error.ts';
import { DatabaseBusyError } from '../../core/db/database.ts';

/** An error a client caused: its status (4xx) and message are shown as they are; `details`
 *  (the field at fault, the current values after a conflict) join the JSON body. */
export class ClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

/** Refused for now, not for good (429 over a rate limit, 503 when a queue is full): the answer
 *  carries `Retry-After` with the seconds to wait. */
export class RetryLaterError extends ClientError {
  constructor(status: 429 | 503, message: string, readonly retryAfterS: number) {
    super(status, status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message);
    this.name = 'RetryLaterError';
  }
}

/** Shorthand for a 400 with a reason. */
export function badRequest(message: string, code = 'InvalidParameterValue'): ClientError {
  return new ClientError(400, code, message);
}

/** Shorthand for a 422: a rule broken by the value of `field`. */
export function unprocessable(field: string, message: string): ClientError {
  return new ClientError(422, 'UnprocessableEntity', message, { field });
}

/** Shorthand for a 404 with a reason. */
export function notFound(message: string): ClientError {
  return new ClientError(404, 'NotFound', message);
}

const CODES: Record<number, string> = {
  400: 'InvalidParameterValue', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound',
  405: 'MethodNotAllowed', 406: 'NotAcceptable', 409: 'Conflict', 413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType', 422: 'UnprocessableEntity', 429: 'TooManyRequests', 503: 'ServiceUnavailable',
};

/** French wording of the errors body parsers raise, before their own English message. */
const PARSER_ERRORS_FR: Record<number, string> = {
  400: 'corps de requête illisible', 413: 'corps de requête trop volumineux', 415: 'type de contenu non pris en charge',
};

/** PostgreSQL error codes (SQLSTATE) caused by the values a request sent → the answer given. */
const DATABASE_ERRORS: Readonly<Record<string, { status: number; description: string }>> = {
  '23505': { status: 409, description: 'conflit : cette valeur est déjà prise / conflict: this value is already taken' },
  '23514': { status: 422, description: 'une valeur enfreint une règle des données / a value breaks a data rule' },
  '22003': { status: 422, description: 'une valeur numérique est hors limites / a numeric value is out of range' },
  '22P02': { status: 422, description: 'une valeur n’a pas la forme attendue / a value has the wrong form' },
};

/** SQLSTATE classes and codes, and socket errors, meaning the database cannot be reached now
 *  (restarted, shut down by an admin, connections killed, refusing connections): the request may
 *  be tried again, and the pool opens fresh connections for it. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '3D000', '53300']);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /connection error and is not queryable/i, /the database is closed/i];

/** Whether `error` says the database is unreachable rather than that the request is wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || UNAVAILABLE_SOCKET_CODES.has(code))) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(message));
}

/** Seconds a client is told to wait when the database is unreachable. */
const UNAVAILABLE_RETRY_S = 5;

/** Headers a handler set for the answer it meant to give (a file's type, name, validators,
 *  lifetime) must not dress the error that replaced it: a cache would keep a 503 as the file. */
function clearSuccessHeaders(ctx: Context): void {
  for (const name of ['Content-Type', 'Content-Disposition', 'Content-Encoding', 'Content-Length', 'ETag', 'Last-Modified', 'Link']) ctx.remove(name);
  ctx.set('Cache-Control', 'no-store');
}

/**
 * What a log line keeps of an error. A database error (pg's and PGlite's alike carry a SQLSTATE and a
 * severity) names the values it choked on in its message and `detail` ("Failing row contains (…)",
 * "Key (email)=(…)", "invalid input syntax …: \"…\""), which may be a reporter's e-mail or phone: only
 * which rule, where, and the stack below the message are kept.
 */
export function loggableError(error: unknown): unknown {
  const e = error as Partial<Record<'code' | 'severity' | 'table' | 'column' | 'constraint' | 'routine', unknown>> & Error;
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code) || typeof e.severity !== 'string') return error;
  return {
    type: e.name, code: e.code, severity: e.severity, table: e.table, column: e.column, constraint: e.constraint,
    routine: e.routine, stack: e.stack?.split('\n').slice(1).join('\n'),
  };
}

/** The request's URL as a log line may show it: tracking tokens (32 hex digits, in incident and
 *  Open311 paths) open an unpublished report to whoever holds them, and an Open311 client's
 *  `api_key` (in the query string when it sends photos) lets anyone post as that client, so both are
 *  masked. */
export function loggableUrl(url: string): string {
  return url.replace(/[0-9a-f]{32}/gi, '…').replace(/([?&]api_key=)[^&#]*/gi, '$1…');
}

/** Koa middleware: client errors keep their message; anything else becomes a 500 that leaks nothing. */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ClientError(404, 'NotFound', `nothing at ${ctx.path}`);
      }
    } catch (error) {
      clearSuccessHeaders(ctx);
      if (error instanceof RuleError) {
        ctx.status = 422;
        ctx.body = { code: 'UnprocessableEntity', description: error.message, field: error.field };
        return;
      }
      if (error instanceof ClientError) {
        if (error instanceof RetryLaterError) ctx.set('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterS))));
        ctx.status = error.status;
        ctx.body = { code: error.code, description: error.message, ...error.details };
        return;
      }
      if (error instanceof DatabaseBusyError) {
        // Saturation, not a failure: the client is told to come back shortly.
        log.warn({ requestId: ctx.state.requestId, method: ctx.method, url: loggableUrl(ctx.url), reason: error.message }, 'database busy');
        ctx.status = 503;
        ctx.set('Retry-After', String(error.retryAfterSeconds));
        ctx.body = { code: 'ServiceUnavailable', description: 'base de données occupée, réessayez / database busy, try again shortly', requestId: ctx.state.requestId };
        return;
      }
      const err = error as Error & { status?: number; statusCode?: number };
      const status = err.status ?? err.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        // Errors Koa and body parsers raise for bad requests (malformed JSON, body too large), whose
        // messages are English only: the French goes first.
        ctx.status = status;
        ctx.body = { code: CODES[status] ?? 'ClientError', description: `${PARSER_ERRORS_FR[status] ?? 'requête refusée'} / ${err.message}` };
        return;
      }
      if (isDatabaseUnavailable(error)) {
        log.error({ err: loggableError(error), requestId: ctx.state.requestId, method: ctx.method, url: loggableUrl(ctx.url) }, 'database unavailable');
        ctx.status = 503;
        ctx.set('Retry-After', String(UNAVAILABLE_RETRY_S));
        ctx.body = { code: 'ServiceUnavailable', description: 'base de données injoignable, réessayez / database unavailable, try again shortly', requestId: ctx.state.requestId };
        return;
      }
      const database = DATABASE_ERRORS[(error as { code?: unknown }).code as string];
      if (database) {
        // A constraint the handlers should have checked first (a rule they lack, a race they let
        // through): the database still refuses it, and that refusal is the client's, not a 500.
        // Logged, since it points at a missing check; the reason stays generic, since the
        // database's message names tables, constraints and SQL values.
        log.warn({ err: loggableError(error), requestId: ctx.state.requestId, method: ctx.method, url: loggableUrl(ctx.url) }, 'database constraint refused a request');
        ctx.status = database.status;
        ctx.body = { code: CODES[database.status], description: database.description };
        return;
      }
      log.error({ err: loggableError(error), requestId: ctx.state.requestId, method: ctx.method, url: loggableUrl(ctx.url) }, 'request failed');
      ctx.status = 500;
      ctx.body = { code: 'ServerError', description: 'Erreur interne du serveur / internal server error', requestId: ctx.state.requestId };
    }
  };
}
