// Wires the "is fibre available here?" journey onto the map: the search box, a click on the map, the
// answer panel with its marker, the permalink that reopens an answer, and the print view.
import { LngLatBounds, Marker, type Map as MapLibreMap } from 'maplibre-gl';
import './answer.css';
import './print.css';
import { fetchEligibility, fetchThdLabel, targetOfResult, type SearchResult, type Target } from './eligibility-api.ts';
import { AnswerPanel } from './eligibility-panel.ts';
import { readTarget, showPermalink } from './permalink.ts';
import { createSearchBox } from './search.ts';

/** How the map follows a new answer: not at all (the user clicked it), at once (permalink), or smoothly. */
type Move = 'none' | 'jump' | { center: [number, number]; bbox?: [number, number, number, number] };

/** Zoom at which a single address or point is shown. */
const PLACE_ZOOM = 17;

/** Adds the search box and the answer panel over the map, and answers clicks and permalinks. */
export function setupEligibility(map: MapLibreMap): void {
  const wrap = map.getContainer().parentElement ?? document.body;
  const searchRoot = document.createElement('div');
  searchRoot.className = 'search';
  const panelRoot = document.createElement('aside');
  panelRoot.id = 'answer';
  wrap.append(searchRoot, panelRoot);

  const marker = new Marker({ color: '#1d3b5a' });
  let current: AbortController | undefined;

  const close = (): void => {
    current?.abort();
    panel.close();
    marker.remove();
    showPermalink(null);
  };

  const print = (): void => {
    // The WebGL canvas only keeps its pixels while a frame is drawn: copy them then, and print.
    map.once('render', () => {
      try {
        panel.setSnapshot(map.getCanvas().toDataURL('image/png'));
      } catch (error) {
        console.error(error);
      }
      window.print();
    });
    map.triggerRepaint();
  };

  const panel = new AnswerPanel(panelRoot, { onClose: close, onPrint: print });

  const follow = (move: Move, lon: number, lat: number): void => {
    if (move === 'none') return;
    if (move === 'jump') {
      map.jumpTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), PLACE_ZOOM - 1) });
    } else if (move.bbox) {
      const [w, s, e, n] = move.bbox;
      map.fitBounds(new LngLatBounds([w, s], [e, n]), { padding: 60, maxZoom: 18 });
    } else {
      map.flyTo({ center: move.center, zoom: PLACE_ZOOM });
    }
  };

  const open = async (target: Target, move: Move): Promise<void> => {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    showPermalink(target);
    panel.show({ state: 'loading', target });
    try {
      if (target.kind === 'zone') {
        if (move !== 'none' && move !== 'jump') follow(move, ...move.center);
        const thd = await fetchThdLabel(target.id, controller.signal);
        if (!controller.signal.aborted) panel.show({ state: 'zone', target, thd });
        return;
      }
      const answer = await fetchEligibility(target, controller.signal);
      if (controller.signal.aborted) return;
      panel.show({ state: 'answer', target, answer, thd: null });
      marker.setLngLat([answer.location.lon, answer.location.lat]).addTo(map);
      follow(move, answer.location.lon, answer.location.lat);
      if (answer.business_zone) {
        const thd = await fetchThdLabel(answer.business_zone.id, controller.signal);
        if (!controller.signal.aborted) panel.addThd(target, thd);
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      console.error(error);
      panel.show({ state: 'error', target, message: (error as Error).message });
    }
  };

  createSearchBox(searchRoot, (result: SearchResult) => {
    void open(targetOfResult(result), { center: result.geometry.coordinates, bbox: result.bbox });
  });

  map.on('click', (event) => {
    void open({ kind: 'point', lon: event.lngLat.lng, lat: event.lngLat.lat }, 'none');
  });

  const initial = readTarget(window.location.search);
  if (initial) void open(initial, 'jump');
}
