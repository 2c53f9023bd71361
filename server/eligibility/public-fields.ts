// Start-up guard for the public APIs that name layer columns in hand-written SQL (search,
// eligibility, THD label): each column they publish must be public in its layer description.
import type { LayerRegistry } from '../../core/layers/registry.ts';

/** Columns a module publishes, per layer id. */
export type PublishedColumns = Readonly<Record<string, readonly string[]>>;

/** Throws when a published column is unknown or private: a description change must not leak data. */
export function assertPublicColumns(layers: LayerRegistry, module: string, published: PublishedColumns): void {
  for (const [layerId, columns] of Object.entries(published)) {
    const layer = layers.get(layerId);
    if (!layer || !layer.public) throw new Error(`${module}: layer "${layerId}" is not a public layer`);
    if (layer.publishedColumn) throw new Error(`${module}: layer "${layerId}" has unpublished rows, which this module does not filter`);
    for (const column of columns) {
      if (column === 'id' || column === 'geom') continue;
      const property = layer.properties.find((p) => p.name === column);
      if (!property?.public) throw new Error(`${module}: "${layerId}.${column}" is not a public property`);
    }
  }
}
