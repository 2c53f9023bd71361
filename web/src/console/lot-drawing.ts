// Drawing on the lots map with terra-draw: a new lot's outline, a cutting line, and the outline of an
// existing lot moved corner by corner. One drawing at a time; Escape cancels it.
import { TerraDraw, TerraDrawLineStringMode, TerraDrawPolygonMode, TerraDrawSelectMode, type GeoJSONStoreFeatures } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { LineString, MultiPolygon, Polygon } from 'geojson';

export interface OutlineEdit {
  /** The edited outline, or null when terra-draw holds none any more. */
  finish(): Polygon | null;
  cancel(): void;
}

export interface LotDrawing {
  /** True while a drawing or an outline edit is under way (lot clicks are then ignored). */
  readonly busy: boolean;
  drawPolygon(): Promise<Polygon | null>;
  drawLine(): Promise<LineString | null>;
  /** Starts moving the corners of a one-part lot's outline. */
  editOutline(geometry: MultiPolygon): OutlineEdit;
  cancel(): void;
}

export function createLotDrawing(map: MapLibreMap): LotDrawing {
  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map }),
    modes: [
      new TerraDrawPolygonMode(),
      new TerraDrawLineStringMode(),
      new TerraDrawSelectMode({
        flags: { polygon: { feature: { draggable: false, coordinates: { draggable: true, midpoints: true, deletable: true } } } },
      }),
    ],
  });
  draw.start();
  let busy = false;
  let settle: ((geometry: GeoJSONStoreFeatures['geometry'] | null) => void) | null = null;

  const stop = () => {
    busy = false;
    draw.clear();
    draw.setMode('static');
  };
  draw.on('finish', (id) => {
    const geometry = draw.getSnapshotFeature(id)?.geometry ?? null;
    const done = settle;
    settle = null;
    if (done) {
      stop();
      done(geometry);
    }
  });
  // Escape ends any drawing without a result (terra-draw's own Escape only drops the shape in progress).
  map.getContainer().addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && busy) cancel();
  });

  const start = <G>(mode: 'polygon' | 'linestring') =>
    new Promise<G | null>((resolve) => {
      cancel();
      busy = true;
      settle = (geometry) => resolve(geometry as G | null);
      draw.setMode(mode);
      map.getCanvas().focus();
    });

  function cancel(): void {
    const done = settle;
    settle = null;
    if (busy) stop();
    done?.(null);
  }

  return {
    get busy() {
      return busy;
    },
    drawPolygon: () => start<Polygon>('polygon'),
    drawLine: () => start<LineString>('linestring'),
    editOutline(geometry) {
      cancel();
      busy = true;
      const id = draw.getFeatureId();
      draw.addFeatures([{ id, type: 'Feature', geometry: { type: 'Polygon', coordinates: geometry.coordinates[0]! }, properties: { mode: 'polygon' } }]);
      draw.selectFeature(id);
      return {
        finish() {
          const edited = draw.getSnapshotFeature(id)?.geometry;
          stop();
          return edited?.type === 'Polygon' ? edited : null;
        },
        cancel: stop,
      };
    },
    cancel,
  };
}
