// Builds one GeoPackage with sql.js in a thread of its own: the CPU-heavy inserts do not stall the
// server's event loop, and all the memory the file took is released when the thread exits.
import { parentPort } from 'node:worker_threads';
import initSqlJs, { type Database, type Statement } from 'sql.js';
import { gpkgExtentStatement, gpkgGeometry, gpkgInsertSql, gpkgSchemaStatements, type GpkgLayerSpec } from './gpkg-schema.ts';
import type { FromGpkgWorker, ToGpkgWorker } from './gpkg-build.ts';

const port = parentPort!;
let db: Database | undefined;
let insert: Statement | undefined;
let spec: GpkgLayerSpec | undefined;
/** Extent of the rows stored so far: [minX, maxX, minY, maxY]. */
let extent: [number, number, number, number] | undefined;

const reply = (message: FromGpkgWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', async (message: ToGpkgWorker) => {
  try {
    if (message.type === 'init') {
      const SQL = await initSqlJs();
      db = new SQL.Database();
      // An in-memory file that is either complete or discarded needs no journal.
      db.run('PRAGMA journal_mode = OFF');
      db.run('PRAGMA synchronous = OFF');
      for (const s of gpkgSchemaStatements(message.spec)) db.run(s.sql, [...s.params]);
      db.run('BEGIN');
      insert = db.prepare(gpkgInsertSql(message.spec));
      spec = message.spec;
      reply({ type: 'ack' });
    } else if (message.type === 'rows') {
      // Points carry no envelope in their header: it would only repeat the point (as GDAL does too).
      const withEnvelope = spec!.geometryType !== 'POINT';
      for (const row of message.rows) {
        insert!.run([row.fid, gpkgGeometry(spec!.srs.id, row.wkb, withEnvelope ? row.envelope : undefined), ...row.values]);
        const [minX, maxX, minY, maxY] = row.envelope;
        extent = extent
          ? [Math.min(extent[0], minX), Math.max(extent[1], maxX), Math.min(extent[2], minY), Math.max(extent[3], maxY)]
          : [minX, maxX, minY, maxY];
      }
      reply({ type: 'ack' });
    } else {
      insert!.free();
      if (extent) {
        const s = gpkgExtentStatement(spec!.table, extent);
        db!.run(s.sql, [...s.params]);
      }
      db!.run('COMMIT');
      const bytes = db!.export();
      db!.close();
      reply({ type: 'done', bytes }, [bytes.buffer as ArrayBuffer]);
    }
  } catch (error) {
    reply({ type: 'error', message: (error as Error).message });
  }
});
