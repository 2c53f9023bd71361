// The "Lots" tab: pick a zone and edit its record (the CNIG inventory's zone fields), see its lots on a
// map coloured by status and in a list, select one to edit its fields and see its history; draw a new
// lot, move a lot's corners, split, merge or delete.
import { getLang, pick } from '../i18n.ts';
import { ApiError, messageIn } from './staff-api.ts';
import type { Polygon } from 'geojson';
import { confirmDialog } from './confirm-dialog.ts';
import { ct } from './console-strings.ts';
import { createLotDrawing, type LotDrawing, type OutlineEdit } from './lot-drawing.ts';
import { createLotForm } from './lot-form.ts';
import { createLotHistory } from './lot-history.ts';
import { createLotsMap } from './lots-map.ts';
import { createZoneForm } from './zone-form.ts';
import { lt } from './lots-strings.ts';
import { relabel } from './translate.ts';
import type { ConsoleContext, ConsolePanel } from './panel.ts';
import type { LoadedLot, LotCollection, LotFeature, StaffLayerInfo, ZoneCollection, ZoneFeature } from './lot-types.ts';

const MARKUP = `
  <div class="lots-layout">
    <div class="lots-side">
      <div class="field">
        <label for="lots-zone" data-lt="zones"></label>
        <select id="lots-zone"></select>
      </div>
      <details class="zone-record">
        <summary data-lt="zoneRecord"></summary>
        <div class="zone-form-root"></div>
      </details>
      <div class="button-row lot-tools">
        <button type="button" class="secondary-button" data-act="new" data-lt="newLot"></button>
        <button type="button" class="secondary-button" data-act="outline" data-lt="editGeometry" data-needs-lot></button>
        <button type="button" class="secondary-button" data-act="split" data-lt="split" data-needs-lot></button>
        <button type="button" class="secondary-button" data-act="merge" data-lt="merge" data-needs-lot></button>
        <button type="button" class="danger-button" data-act="delete" data-lt="deleteLot" data-needs-lot></button>
      </div>
      <div class="drawing" hidden>
        <p class="draw-hint"></p>
        <div class="button-row">
          <button type="button" class="primary-button" data-act="save-outline" data-lt="saveGeometry" hidden></button>
          <button type="button" class="secondary-button" data-act="cancel" data-lt="cancel"></button>
        </div>
      </div>
      <form class="new-lot" hidden novalidate>
        <div class="field">
          <label for="new-lot-number" data-lt="newLotNumber"></label>
          <input id="new-lot-number" required aria-describedby="new-lot-error" />
          <p id="new-lot-error" class="field-error"></p>
        </div>
        <div class="button-row">
          <button type="submit" class="primary-button" data-lt="createLot"></button>
          <button type="button" class="secondary-button" data-act="cancel-new" data-lt="cancel"></button>
        </div>
      </form>
      <form class="merge-choice" hidden novalidate>
        <div class="field">
          <label for="merge-with" data-lt="mergeWith"></label>
          <select id="merge-with"></select>
        </div>
        <div class="button-row">
          <button type="submit" class="primary-button" data-lt="mergeConfirm"></button>
          <button type="button" class="secondary-button" data-act="cancel-merge" data-lt="cancel"></button>
        </div>
      </form>
      <p class="form-error lots-error" role="alert"></p>
      <h3 data-lt="legend"></h3>
      <ul class="lots-legend"></ul>
      <h3 id="lot-list-heading" data-lt="lotList"></h3>
      <ul class="lot-list" aria-labelledby="lot-list-heading"></ul>
    </div>
    <div class="lots-map" role="region" data-lt-aria-label="mapLabel"></div>
    <div class="lot-detail">
      <div class="lot-form-root"></div>
      <div class="lot-history-root"></div>
    </div>
  </div>`;

async function mountLots(root: HTMLElement, context: ConsoleContext) {
  const { api, announce } = context;
  root.innerHTML = MARKUP;
  const $ = <T extends HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
  const zoneSelect = $<HTMLSelectElement>('#lots-zone');
  const errorLine = $<HTMLElement>('.lots-error');
  const drawingBox = $<HTMLElement>('.drawing');
  const newLotForm = $<HTMLFormElement>('.new-lot');
  const mergeForm = $<HTMLFormElement>('.merge-choice');
  const list = $<HTMLUListElement>('.lot-list');
  const relabelAll = () => relabel(root, 'lt', lt);
  relabelAll();

  const [layer, zoneLayer] = (await Promise.all([
    api.get<StaffLayerInfo>('/api/layers/zone_lots'), api.get<StaffLayerInfo>('/api/layers/business_zones'),
  ])).map((answer) => answer.body) as [StaffLayerInfo, StaffLayerInfo];
  const statusField = layer.fields.find((f) => f.name === 'status');
  const lotsMap = createLotsMap($('.lots-map'), layer);
  await lotsMap.ready;
  const drawing: LotDrawing = createLotDrawing(lotsMap.map);

  let zones: ZoneFeature[] = [];
  let lots: LotFeature[] = [];
  let selected: LoadedLot | null = null;
  let outline: OutlineEdit | null = null;
  let drawn: Polygon | null = null;

  const fail = (caught: unknown) => {
    if (!(caught instanceof ApiError)) throw caught;
    errorLine.textContent = lt('error', { message: messageIn(getLang(), caught.message) });
  };
  const syncTools = () => {
    for (const button of root.querySelectorAll<HTMLButtonElement>('[data-needs-lot]')) button.disabled = !selected || drawing.busy;
    $<HTMLButtonElement>('[data-act="new"]').disabled = drawing.busy || zones.length === 0;
  };

  const renderLegend = () => {
    $('.lots-legend').replaceChildren(...(statusField?.values ?? []).map((v) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch swatch-area';
      swatch.style.setProperty('--swatch', v.color ?? layer.style.color);
      item.append(swatch, ` ${pick(v.label)}`);
      return item;
    }));
  };
  const renderList = () => {
    list.replaceChildren(...lots.map((lot) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'lot-list-item';
      button.dataset.lotId = String(lot.id);
      button.setAttribute('aria-pressed', String(selected?.lot.id === lot.id));
      const swatch = document.createElement('span');
      swatch.className = 'swatch swatch-area';
      swatch.style.setProperty('--swatch', statusField?.values?.find((v) => v.value === lot.properties.status)?.color ?? layer.style.color);
      const status = statusField?.values?.find((v) => v.value === lot.properties.status);
      button.append(swatch, ` ${lt('formHeading', { n: lot.properties.lot_number })} — ${status ? pick(status.label) : lot.properties.status}`);
      button.addEventListener('click', () => void selectLot(lot.id));
      item.append(button);
      return item;
    }));
  };

  const zoneOption = (zone: ZoneFeature) => `${zone.properties.name} (${zone.properties.code})`;
  const zoneForm = createZoneForm($('.zone-form-root'), {
    api, fields: zoneLayer.fields, announce,
    onChanged: (zone) => {
      zones = zones.map((z) => (z.id === zone.id ? zone : z));
      const option = [...zoneSelect.options].find((o) => o.value === String(zone.id));
      if (option) option.textContent = zoneOption(zone);
    },
  });
  const form = createLotForm($('.lot-form-root'), {
    api, fields: layer.fields, announce,
    onChanged: (loaded) => void lotChanged(loaded),
  });
  const history = createLotHistory($('.lot-history-root'), {
    api, fields: layer.fields, announce,
    onUndone: (loaded) => {
      form.show(loaded);
      void lotChanged(loaded, false);
    },
  });

  async function reloadLots(): Promise<void> {
    const zoneId = Number(zoneSelect.value);
    if (!zoneId) return;
    lots = (await api.get<LotCollection>(`/api/zones/${zoneId}/lots`)).body.features;
    lotsMap.setLots({ type: 'FeatureCollection', features: lots });
    renderList();
  }
  /** The map, list and history follow a lot that changed (saved, re-read after a conflict, undone). */
  async function lotChanged(loaded: LoadedLot, reloadHistory = true): Promise<void> {
    selected = loaded;
    await reloadLots();
    if (reloadHistory) await history.load(loaded.lot.id);
  }
  async function selectLot(id: number | null): Promise<void> {
    errorLine.textContent = '';
    selected = null;
    if (id !== null) {
      try {
        const { body, etag } = await api.get<LotFeature>(`/api/lots/${id}`);
        selected = { lot: body, etag };
      } catch (caught) {
        fail(caught);
      }
    }
    lotsMap.select(selected?.lot.id ?? null);
    form.show(selected);
    renderList();
    syncTools();
    await history.load(selected?.lot.id ?? null);
  }
  async function showZone(): Promise<void> {
    const zone = zones.find((z) => z.id === Number(zoneSelect.value));
    if (!zone) return;
    lotsMap.showZone(zone);
    const { body, etag } = await api.get<ZoneFeature>(`/api/zones/${zone.id}`);
    zoneForm.show({ feature: body, etag });
    await reloadLots();
    announce(lt('lotsLoaded', { n: lots.length, zone: zone.properties.name }));
    await selectLot(null);
  }

  const endDrawing = () => {
    drawing.cancel();
    outline?.cancel();
    outline = null;
    drawingBox.hidden = true;
    syncTools();
  };
  const startDrawing = (hint: string, withSave = false) => {
    newLotForm.hidden = mergeForm.hidden = true;
    errorLine.textContent = '';
    drawingBox.hidden = false;
    $('.draw-hint').textContent = hint;
    $<HTMLButtonElement>('[data-act="save-outline"]').hidden = !withSave;
  };

  const act = (name: string, run: () => Promise<void> | void) =>
    $(`[data-act="${name}"]`).addEventListener('click', () => {
      Promise.resolve(run()).catch(fail).finally(syncTools);
    });

  act('new', async () => {
    startDrawing(lt('drawPolygonHint'));
    const pending = drawing.drawPolygon();
    syncTools();
    drawn = await pending;
    drawingBox.hidden = true;
    if (!drawn) return;
    newLotForm.hidden = false;
    $<HTMLInputElement>('#new-lot-number').focus();
  });
  newLotForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const number = $<HTMLInputElement>('#new-lot-number');
    const error = $<HTMLElement>('#new-lot-error');
    error.textContent = '';
    number.removeAttribute('aria-invalid');
    const fieldError = (message: string) => {
      error.textContent = message;
      number.setAttribute('aria-invalid', 'true');
      number.focus();
    };
    if (!number.value.trim()) return fieldError(ct('fieldRequired'));
    void (async () => {
      try {
        const { body } = await api.send<LotFeature>('POST', `/api/zones/${zoneSelect.value}/lots`, {
          type: 'Feature', properties: { lot_number: number.value.trim() }, geometry: drawn,
        });
        newLotForm.hidden = true;
        number.value = '';
        drawn = null;
        announce(lt('lotCreated', { n: body.properties.lot_number }));
        await reloadLots();
        await selectLot(body.id);
      } catch (caught) {
        if (caught instanceof ApiError && caught.field === 'lot_number') fieldError(messageIn(getLang(), caught.message));
        else fail(caught);
      }
    })();
  });
  $('[data-act="cancel-new"]').addEventListener('click', () => {
    newLotForm.hidden = true;
    drawn = null;
  });

  act('outline', () => {
    if (!selected) return;
    startDrawing(lt('editHint'), true);
    outline = drawing.editOutline(selected.lot.geometry);
    syncTools();
  });
  act('save-outline', async () => {
    if (!selected || !outline) return;
    const geometry = outline.finish();
    outline = null;
    drawingBox.hidden = true;
    if (!geometry) return;
    const { body, etag } = await api.send<LotFeature>('PATCH', `/api/lots/${selected.lot.id}`, { geometry, version: selected.lot.properties.version }, selected.etag);
    announce(lt('lotSaved', { n: body.properties.lot_number }));
    form.show({ lot: body, etag });
    await lotChanged({ lot: body, etag });
  });
  act('cancel', endDrawing);

  act('split', async () => {
    if (!selected) return;
    const lot = selected;
    startDrawing(lt('drawLineHint'));
    const pending = drawing.drawLine();
    syncTools();
    const line = await pending;
    drawingBox.hidden = true;
    if (!line) return;
    const { body } = await api.request<{ features: LotFeature[] }>(`/api/lots/${lot.lot.id}/split`, {
      method: 'POST', body: { ...line, version: lot.lot.properties.version }, ifMatch: lot.etag,
    });
    announce(lt('lotSplit', { n: body.features.length }));
    await reloadLots();
    await selectLot(body.features[0]?.id ?? null);
  });

  act('merge', () => {
    if (!selected) return;
    const others = lots.filter((l) => l.id !== selected!.lot.id);
    $<HTMLSelectElement>('#merge-with').replaceChildren(...others.map((l) => new Option(lt('formHeading', { n: l.properties.lot_number }), String(l.id))));
    mergeForm.hidden = false;
    $<HTMLSelectElement>('#merge-with').focus();
  });
  mergeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const other = lots.find((l) => l.id === Number($<HTMLSelectElement>('#merge-with').value));
    if (!selected || !other) return;
    const pair = [selected.lot, other];
    void (async () => {
      try {
        const { body } = await api.send<LotFeature>('POST', '/api/lots/merge', { ids: pair.map((l) => l.id), versions: pair.map((l) => l.properties.version) });
        mergeForm.hidden = true;
        announce(lt('lotsMerged', { n: body.properties.lot_number }));
        await reloadLots();
        await selectLot(body.id);
      } catch (caught) {
        fail(caught);
      }
    })();
  });
  $('[data-act="cancel-merge"]').addEventListener('click', () => { mergeForm.hidden = true; });

  act('delete', async () => {
    if (!selected) return;
    const lot = selected;
    if (!(await confirmDialog(lt('confirmDelete', { n: lot.lot.properties.lot_number }), lt('deleteLot')))) return;
    await api.send('DELETE', `/api/lots/${lot.lot.id}`, undefined, lot.etag);
    announce(lt('lotDeleted', { n: lot.lot.properties.lot_number }));
    await reloadLots();
    await selectLot(null);
  });

  lotsMap.onLotClick((id) => void selectLot(id), () => !drawing.busy);
  zoneSelect.addEventListener('change', () => void showZone().catch(fail));

  zones = (await api.get<ZoneCollection>('/api/zones')).body.features;
  zoneSelect.replaceChildren(...zones.map((z) => new Option(zoneOption(z), String(z.id))));
  renderLegend();
  syncTools();
  await showZone();
  root.dataset.lotsReady = '1';

  return () => {
    relabelAll();
    renderLegend();
    renderList();
    form.relabel();
    zoneForm.relabel();
    history.relabel();
  };
}

export const lotsPanel: ConsolePanel = {
  id: 'lots',
  label: { fr: 'Lots des zones', en: 'Zone lots' },
  roles: ['staff', 'admin'],
  mount(root, context) {
    let relabelPanel: (() => void) | null = null;
    mountLots(root, context).then((relabelLots) => { relabelPanel = relabelLots; }, (error: unknown) => {
      console.error(error);
      root.textContent = error instanceof ApiError ? messageIn(context.lang(), error.message) : String(error);
    });
    return { relabel: () => relabelPanel?.() };
  },
};
