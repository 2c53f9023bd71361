// The one selection on the map: a click or tap, Enter on the map (its centre), a search result or a
// permalink selects a place; one panel holds the answer and the map's features there, a marker pins
// it, and the map pans so the place stays in sight beside the panel (above the sheet on a phone).
import { LngLatBounds, Marker, type LngLatLike, type Map as MapLibreMap } from 'maplibre-gl';
import './answer.css';
import './print.css';
import { fetchEligibility, fetchThdLabel, targetOfResult, type SearchResult, type Target } from './eligibility-api.ts';
import { AnswerPanel } from './eligibility-panel.ts';
import type { FeatureHit, NameOf } from './feature-details.ts';
import { readTarget, showPermalink } from './permalink.ts';
import { createSearchBox } from './search.ts';

/** How the map follows a new selection: not at all (it was clicked), at once (permalink), or smoothly. */
type Move = 'none' | 'jump' | { center: [number, number]; bbox?: [number, number, number, number] };

/** Zoom at which a single address or point is shown. */
const PLACE_ZOOM = 17;
/** The marker's box around its point, in pixels: the pin stands ~41 px tall above the point. */
const PIN = { left: 16, right: 16, top: 48, bottom: 8 };

export interface SelectionDeps {
  /** The thematic features drawn around a screen point, topmost first ([] until the layers are on the map). */
  featuresAt(point: { x: number; y: number }): FeatureHit[];
  nameOf: NameOf;
  /** Called as a selection opens (the phone's layer sheet makes way for the answer). */
  onSelect(): void;
  /** The page was opened on a view of its own (a permalink's hash): a selection in it does not move the map. */
  viewInUrl: boolean;
}

const reducedMotion = (): boolean => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Wires the search box, clicks, Enter on the map and the permalink to one panel and one marker. */
export function setupSelection(map: MapLibreMap, deps: SelectionDeps): void {
  const searchRoot = document.getElementById('search') as HTMLElement;
  const panelRoot = document.getElementById('answer') as HTMLElement;
  const marker = new Marker({ color: '#1d3b5a' });
  let current: AbortController | undefined;
  /** Where the keyboard focus goes back to when the panel closes (the map or the search box). */
  let returnFocus: HTMLElement | null = null;

  const close = (): void => {
    current?.abort();
    panel.close();
    marker.remove();
    showPermalink(null);
    returnFocus?.focus();
    returnFocus = null;
  };

  const print = (): void => {
    // The WebGL canvas only keeps its pixels while a frame is drawn: copy them then, and print.
    map.once('render', () => {
      try {
        const canvas = map.getCanvas();
        const at = marker.getElement().isConnected ? map.project(marker.getLngLat()) : null;
        const size = { width: canvas.clientWidth, height: canvas.clientHeight };
        panel.setSnapshot(canvas.toDataURL('image/png'), at && { x: at.x / size.width, y: at.y / size.height });
      } catch (error) {
        console.error(error);
      }
      window.print();
    });
    map.triggerRepaint();
  };

  const panel = new AnswerPanel(panelRoot, { onClose: close, onPrint: print, nameOf: deps.nameOf });

  /**
   * Pans the map so the pinned place is neither under the panel (or sheet) nor under the search box;
   * `centre`: into the middle of the free area even when it is in sight (the map moved to it anyway).
   */
  const keepInSight = (lngLat: LngLatLike, centre = false): void => {
    if (panelRoot.hidden || map.isMoving()) return;
    const box = map.getContainer().getBoundingClientRect();
    const sheet = panelRoot.getBoundingClientRect();
    const search = searchRoot.getBoundingClientRect();
    const p = map.project(lngLat);
    const panelBox = { left: sheet.left - box.left, right: sheet.right - box.left, top: sheet.top - box.top, bottom: sheet.bottom - box.top };
    const top = search.bottom - box.top;
    const hidden = (p.x + PIN.right > panelBox.left && p.x - PIN.left < panelBox.right && p.y + PIN.bottom > panelBox.top
      && p.y - PIN.top < panelBox.bottom) || p.y - PIN.top < top || p.x < 0 || p.x > box.width || p.y > box.height;
    if (!hidden && !centre) return;
    // A sheet across the whole width (phone) leaves the band above it; a card (desktop) the area beside it.
    const acrossWidth = panelBox.left <= 1 && panelBox.right >= box.width - 1;
    const goal = acrossWidth
      ? { x: box.width / 2, y: (top + panelBox.top) / 2 + PIN.top / 2 }
      : { x: panelBox.right + (box.width - panelBox.right) / 2, y: (top + box.height) / 2 };
    map.panBy([p.x - goal.x, p.y - goal.y], { duration: reducedMotion() ? 0 : 300 });
  };

  const follow = (move: Move, lon: number, lat: number): void => {
    if (move === 'none') return;
    if (move === 'jump') {
      map.jumpTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), PLACE_ZOOM - 1) });
    } else if (move.bbox) {
      const [w, s, e, n] = move.bbox;
      map.fitBounds(new LngLatBounds([w, s], [e, n]), { padding: 60, maxZoom: 18, duration: reducedMotion() ? 0 : undefined });
    } else {
      map.flyTo({ center: move.center, zoom: PLACE_ZOOM, duration: reducedMotion() ? 0 : undefined });
    }
  };

  /** Once the map has drawn the place, lists its features in the panel and keeps it in sight. */
  const whenDrawn = (target: Target, lngLat: [number, number], moved: boolean, signal: AbortSignal): void => {
    const run = (): void => {
      if (signal.aborted) return;
      panel.addFeatures(target, deps.featuresAt(map.project(lngLat)));
      keepInSight(lngLat, moved);
    };
    if (map.loaded() && !map.isMoving()) run();
    else map.once('idle', run);
  };

  const open = async (target: Target, move: Move, byKeyboard = false): Promise<void> => {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    showPermalink(target);
    deps.onSelect();
    panel.show({ state: 'loading', target });
    try {
      if (target.kind === 'zone') {
        marker.remove();
        if (move !== 'none' && move !== 'jump') follow(move, ...move.center);
        const thd = await fetchThdLabel(target.id, controller.signal);
        if (controller.signal.aborted) return;
        panel.show({ state: 'zone', target, thd });
        if (byKeyboard) panel.focusTitle();
        return;
      }
      const answer = await fetchEligibility(target, controller.signal);
      if (controller.signal.aborted) return;
      const at: [number, number] = [answer.location.lon, answer.location.lat];
      panel.show({ state: 'answer', target, answer, thd: null, features: [] });
      if (byKeyboard) panel.focusTitle();
      marker.setLngLat(at).addTo(map);
      follow(move, ...at);
      whenDrawn(target, at, move !== 'none', controller.signal);
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

  createSearchBox(searchRoot, (result: SearchResult, byKeyboard: boolean) => {
    returnFocus = document.getElementById('search-input');
    void open(targetOfResult(result), { center: result.geometry.coordinates, bbox: result.bbox }, byKeyboard);
  });

  map.on('click', (event) => {
    returnFocus = null;
    void open({ kind: 'point', lon: event.lngLat.lng, lat: event.lngLat.lat }, 'none');
  });

  // The keyboard's click: Enter or Space on the focused map selects the place under its centre
  // (marked by a crosshair while the map has the focus); arrows and +/- move the map to it.
  const canvas = map.getCanvas();
  canvas.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    returnFocus = canvas;
    const center = map.getCenter();
    void open({ kind: 'point', lon: center.lng, lat: center.lat }, 'none', true);
  });

  const initial = readTarget(window.location.search);
  if (initial) void open(initial, deps.viewInUrl ? 'none' : 'jump');
}
