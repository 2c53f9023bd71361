// Empties an importable layer on purpose: the one way to remove every feature, in one transaction
// with its audit entry, so that no import mode ever has to do it silently.
import type { Database, Row } from '../core/db/database.ts';
import { ident } from '../core/layers/layer-sql.ts';
import type { LayerRegistry } from '../core/layers/registry.ts';
import { ImportOptionsError, importableLayers } from './pipeline.ts';

/** The layer's features are still referenced (business zones by their lots): nothing was deleted. */
export class StillReferencedError extends Error {
  constructor(layer: string, by: string | undefined) {
    super(`${layer} cannot be emptied: ${by ?? 'another table'} still refers to its features; delete or move those first`);
  }
}

export interface EmptyLayerRequest {
  layer: string;
  /** Staff member asking (API), recorded in the audit log; absent from the command line. */
  userId?: number;
  /** Where the request came from, kept with the audit entry. */
  via: 'cli' | 'api';
  /** Why, as the person said it (kept with the audit entry, at most 500 characters). */
  reason?: string;
}

/** Deletes every feature of `layer` and records who did it and how many went; returns that count. */
export async function emptyLayer(db: Database, layers: LayerRegistry, request: EmptyLayerRequest): Promise<number> {
  const layer = layers.get(request.layer);
  if (!layer || !layer.import) {
    throw new ImportOptionsError(`"${request.layer}" is not a layer you can import into (layers: ${importableLayers(layers).map((l) => l.id).join(', ')})`, 'layer');
  }
  const reason = request.reason?.slice(0, 500);
  return db.transaction(async (tx) => {
    let deleted: number;
    try {
      deleted = (await tx.query(`DELETE FROM ${ident(layer.id)}`)).rowCount ?? 0;
    } catch (error) {
      // restrict_violation (ON DELETE RESTRICT) or foreign_key_violation (NO ACTION): other rows,
      // a zone's lots, still point at these features.
      const e = error as { code?: string; table?: string };
      if (e.code === '23001' || e.code === '23503') throw new StillReferencedError(layer.id, e.table);
      throw error;
    }
    await tx.query<Row>(
      `INSERT INTO audit_log (user_id, action, layer, details) VALUES ($1, 'layer_emptied', $2, $3)`,
      [request.userId ?? null, layer.id, JSON.stringify({ deleted, via: request.via, reason: reason ?? null })],
    );
    return deleted;
  });
}
