// Entity tags of edited features and the If-Match / version checks that stop lost updates:
// a single feature's tag names its version (every write bumps it), a list's tag hashes its body.
import { createHash } from 'node:crypto';
import { ClientError } from '../http/errors.ts';
import type { Audience } from './feature-sql.ts';

/** Strong ETag of one feature at `version` as `audience` sees it (the two representations differ). */
export function featureEtag(layerId: string, id: number, version: number, audience: Audience): string {
  return `"${layerId}-${id}-v${version}${audience === 'public' ? '-public' : ''}"`;
}

/** Strong ETag of a response body. */
export function bodyEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Whether an If-None-Match header lists `etag` (weak comparison, as RFC 9110 asks for GET). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((t) => bare(t) === bare(etag));
}

/**
 * The version an If-Match header holds for this feature's staff representation: 428 when it is
 * missing (or `*`, which would not protect anything), 412 when it names another version or resource.
 */
export function versionFromIfMatch(header: string | undefined, layerId: string, id: number): number {
  if (!header || header.trim() === '*') {
    throw new ClientError(428, 'PreconditionRequired', 'en-tête If-Match requis, avec l’ETag lu / If-Match header required, with the ETag you read');
  }
  const tags = header.split(',').map((t) => t.trim());
  const pattern = new RegExp(`^"${layerId}-${id}-v([1-9]\\d{0,9})"$`);
  for (const tag of tags) {
    const match = pattern.exec(tag);
    if (match) return Number(match[1]);
  }
  throw new ClientError(412, 'PreconditionFailed', 'If-Match ne désigne pas une version de cet objet / If-Match names no version of this feature');
}

/** A `version` member of an edit body: absent, or a positive integer (else a 422). */
export function bodyVersion(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (!Number.isInteger(raw) || (raw as number) < 1) {
    throw new ClientError(422, 'UnprocessableEntity', 'version doit être un entier positif / version must be a positive integer', { field: 'version' });
  }
  return raw as number;
}
