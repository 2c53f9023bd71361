// Files attached to lots (plans, deeds): staff upload the raw bytes (POST /api/lots/{id}/attachments?name=&public=),
// whose type is read from the bytes (PDF, JPEG, PNG, WebP only) under a size limit, kept in the FileStore;
// GET /api/attachments/{id} serves a file to staff, or to anyone once it is marked public.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Router from '@koa/router';
import { fileTypeFromBuffer } from 'file-type';
import { readSession, requireStaff } from '../auth/auth.middleware.ts';
import { payloadTooLarge, readLimitedBody, refuseDeclaredOver } from '../http/body-limit.ts';
import { ClientError, notFound } from '../http/errors.ts';
import { bodyObject, jsonBody, pathId } from '../http/json-body.ts';
import { rejectUnknownParameters, single } from '../http/params.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { createLocalFileStore } from '../storage/file-store.ts';

/** Types accepted, as read from the bytes (never from the name or the client's header). */
export const ATTACHMENT_TYPES: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp',
};

interface AttachmentRow {
  id: number;
  lot_id: number;
  file_key: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  public: boolean;
  created_at: string;
}

/** A file name fit to show and to send back in Content-Disposition: no path, no control characters. */
function cleanName(raw: string | undefined, extension: string): string {
  const base = (raw ?? '').split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 120);
  return base || `piece-jointe.${extension}`;
}

export function attachmentsRoutes({ db, config }: RouteDeps): Router {
  const store = createLocalFileStore(join(config.dataDir, 'files'));
  const maxBytes = config.attachmentMaxMb * 1024 * 1024;
  const tooLarge = () => payloadTooLarge(maxBytes, { fr: 'fichier', en: 'file' });
  const staff = requireStaff(db);
  const router = new Router();
  const fields = 'id, lot_id, file_key, file_name, content_type, size_bytes, public, created_at';
  const publicView = ({ file_key: _key, ...row }: AttachmentRow) => ({ ...row, url: `/api/attachments/${row.id}` });

  router.post('/api/lots/:id/attachments', staff, refuseDeclaredOver(maxBytes, tooLarge), async (ctx) => {
    const lotId = pathId(ctx.params.id, 'lot');
    rejectUnknownParameters(ctx.query, ['name', 'public']);
    const isPublic = single(ctx.query, 'public') === 'true' || single(ctx.query, 'public') === '1';
    const { rows: lots } = await db.query('SELECT 1 FROM zone_lots WHERE id = $1', [lotId]);
    if (!lots[0]) throw notFound(`lot ${lotId} introuvable / no lot ${lotId}`);
    const bytes = await readLimitedBody(ctx, maxBytes, tooLarge);
    const type = bytes.length ? await fileTypeFromBuffer(bytes) : undefined;
    const extension = type && ATTACHMENT_TYPES[type.mime];
    if (!type || !extension) {
      throw new ClientError(415, 'UnsupportedMediaType', 'seuls les PDF, JPEG, PNG et WebP sont acceptés / only PDF, JPEG, PNG and WebP files are accepted');
    }
    const key = `lots/${lotId}/${randomUUID()}.${extension}`;
    await store.put(key, bytes, type.mime);
    try {
      const { rows } = await db.query<AttachmentRow & Record<string, unknown>>(
        `INSERT INTO lot_attachments (lot_id, file_key, file_name, content_type, size_bytes, public, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${fields}`,
        [lotId, key, cleanName(single(ctx.query, 'name'), extension), type.mime, bytes.length, isPublic, ctx.state.user!.id]);
      ctx.status = 201;
      ctx.body = publicView(rows[0]!);
    } catch (error) {
      await store.delete(key);
      throw error;
    }
  });

  router.get('/api/lots/:id/attachments', staff, async (ctx) => {
    const lotId = pathId(ctx.params.id, 'lot');
    const { rows } = await db.query<AttachmentRow & Record<string, unknown>>(`SELECT ${fields} FROM lot_attachments WHERE lot_id = $1 ORDER BY id`, [lotId]);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = { attachments: rows.map(publicView) };
  });

  router.get('/api/attachments/:id', async (ctx) => {
    const id = pathId(ctx.params.id, 'pièce jointe');
    const { rows } = await db.query<AttachmentRow & Record<string, unknown>>(`SELECT ${fields} FROM lot_attachments WHERE id = $1`, [id]);
    const row = rows[0];
    const session = row && !row.public ? await readSession(ctx, db) : undefined;
    // A private file is not found for the public: its existence is not theirs to know.
    if (!row || (!row.public && !session)) throw notFound(`pièce jointe ${id} introuvable / no attachment ${id}`);
    const file = await store.get(row.file_key);
    if (!file) throw notFound(`pièce jointe ${id} introuvable / no attachment ${id}`);
    ctx.set('Cache-Control', row.public ? 'public, max-age=300' : 'private, no-store');
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.type = file.contentType;
    ctx.attachment(row.file_name, { type: row.content_type === 'application/pdf' ? 'inline' : 'attachment' });
    ctx.body = file.bytes;
  });

  router.patch('/api/attachments/:id', staff, jsonBody(), async (ctx) => {
    const id = pathId(ctx.params.id, 'pièce jointe');
    const body = bodyObject(ctx, ['public']);
    if (typeof body.public !== 'boolean') throw new ClientError(422, 'UnprocessableEntity', 'public : true ou false / public must be true or false', { field: 'public' });
    const { rowCount } = await db.query('UPDATE lot_attachments SET public = $2 WHERE id = $1', [id, body.public]);
    if (!rowCount) throw notFound(`pièce jointe ${id} introuvable / no attachment ${id}`);
    ctx.status = 204;
  });

  router.delete('/api/attachments/:id', staff, async (ctx) => {
    const id = pathId(ctx.params.id, 'pièce jointe');
    const { rows } = await db.query<{ file_key: string }>('DELETE FROM lot_attachments WHERE id = $1 RETURNING file_key', [id]);
    if (!rows[0]) throw notFound(`pièce jointe ${id} introuvable / no attachment ${id}`);
    await store.delete(rows[0].file_key);
    ctx.status = 204;
  });
  return router;
}
