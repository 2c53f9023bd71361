// The selection panel, the one place a selected place is described: the fibre status and summary, its
// zones, premises, business zone and THD label, nearest wifi, the map's features there and dated
// sources, with a permalink, a copy button and a print button.
import type { EligibilityAnswer, Target, ThdLabel } from './eligibility-api.ts';
import { formatDate, formatDistance, premiseStatusLabel, statusLabel, summaryOf, tx } from './eligibility-text.ts';
import { buildFeatureDetails, type FeatureHit, type NameOf } from './feature-details.ts';
import { getLang, onLangChange } from './i18n.ts';
import { permalinkOf } from './permalink.ts';

export type Shown =
  | { state: 'loading'; target: Target }
  | { state: 'answer'; target: Target; answer: EligibilityAnswer; thd: ThdLabel | null; features: FeatureHit[] }
  | { state: 'zone'; target: Target; thd: ThdLabel }
  | { state: 'error'; target: Target; message: string };

export interface PanelActions {
  onClose(): void;
  onPrint(): void;
  /** Names the features other features refer to (a lot's business zone). */
  nameOf: NameOf;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

const percent = (share: number | null) => (share === null ? '–' : String(Math.round(share * 100)));

/** A `<dl>` of the non-empty pairs. */
function definitions(pairs: [string, string | number | null][]): HTMLDListElement {
  const list = element('dl', 'answer-details');
  for (const [term, value] of pairs) {
    if (value === null || value === '') continue;
    list.append(element('dt', undefined, term), element('dd', undefined, String(value)));
  }
  return list;
}

function section(title: string, ...content: Node[]): HTMLElement {
  const el = element('section', 'answer-section');
  el.append(element('h3', undefined, title), ...content);
  return el;
}

function bulletList(items: string[]): HTMLUListElement {
  const list = element('ul');
  list.append(...items.map((text) => element('li', undefined, text)));
  return list;
}

/** "Label ZA THD: granted — 30 of 30 lots covered (100 %) …". */
function thdSection(thd: ThdLabel): HTMLElement {
  const verdict = element('p', `answer-thd ${thd.label ? 'answer-thd-yes' : 'answer-thd-no'}`);
  verdict.dataset.label = String(thd.label);
  verdict.append(element('strong', undefined, thd.label ? tx('thdYes') : tx('thdNo')));
  const detail = thd.lots_total === 0 ? tx('thdNoLots') : tx('thdDetail', {
    covered: thd.lots_covered, total: thd.lots_total, count: percent(thd.share_by_count),
    area: percent(thd.share_by_area), threshold: Math.round(thd.threshold * 100),
  });
  const english = getLang() === 'en';
  const note = element('p', 'answer-note', english ? thd.definition_en : thd.definition_fr);
  note.lang = english ? 'en' : 'fr';
  return section(tx('thd'), verdict, element('p', undefined, detail), note);
}

/** "On the map here": each feature under the selected place, described. */
function featuresSection(features: FeatureHit[], nameOf: NameOf): HTMLElement {
  const el = section(tx('featuresHere'), ...features.map((hit) => buildFeatureDetails(hit, nameOf)));
  el.classList.add('answer-features');
  return el;
}

/** The panel's parts for an eligibility answer. */
function answerParts(answer: EligibilityAnswer, thd: ThdLabel | null, features: FeatureHit[], nameOf: NameOf): Node[] {
  const { fibre } = answer;
  const status = element('p', `answer-status answer-status-${fibre.status}`);
  status.dataset.status = fibre.status;
  status.append(element('span', 'answer-status-kind', `${tx('fibre')} `), element('strong', undefined, statusLabel(fibre.status)));
  const summary = element('p', 'answer-summary', summaryOf(answer));
  summary.lang = getLang();
  const parts: Node[] = [status, summary];
  if (answer.inside_territory) {
    parts.push(definitions([
      [tx('phase'), fibre.phase], [tx('plannedStart'), formatDate(fibre.planned_start)], [tx('plannedEnd'), formatDate(fibre.planned_end)],
      [tx('operator'), fibre.operator], [tx('zoneCode'), fibre.zone_code], [tx('dataDate'), formatDate(fibre.data_date)],
    ]));
  }
  if (fibre.zones.length > 1 || (fibre.zones.length === 1 && fibre.zones[0]!.share < 1)) {
    parts.push(section(tx('zones'), bulletList(fibre.zones.map((z) =>
      `${z.zone_code} — ${statusLabel(z.status as EligibilityAnswer['fibre']['status'])}${answer.location.source === 'parcel' || answer.location.source === 'lot' ? ` — ${tx('share', { p: percent(z.share) })}` : ''}`))));
  }
  if (fibre.premises.length > 0) {
    parts.push(section(tx('premises'), bulletList(fibre.premises.map((p) => `${p.address ?? p.premise_id} (${p.premise_id}) — ${premiseStatusLabel(p.status)}`))));
  }
  if (answer.business_zone) {
    const lot = answer.lot ? ` — ${tx('lot', { n: answer.lot.lot_number })}` : '';
    parts.push(section(tx('businessZone'), element('p', undefined, `${answer.business_zone.name}${lot}`)));
    if (thd) parts.push(thdSection(thd));
  }
  if (answer.wifi.length > 0) {
    parts.push(section(tx('wifi'), bulletList(answer.wifi.map((w) =>
      `${w.name} (${tx(w.kind === 'indoor' ? 'indoor' : 'outdoor')}) — ${formatDistance(w.distance_m)}`))));
  }
  if (features.length > 0) parts.push(featuresSection(features, nameOf));
  parts.push(section(tx('sources'), bulletList(answer.sources.map((s) => `${s.name} — ${s.date ? formatDate(s.date) : tx('undated')}`))));
  return parts;
}

/** The answer panel in `root`, re-rendered in place when the language changes. */
export class AnswerPanel {
  private shown: Shown | null = null;
  private readonly live: HTMLElement;
  private readonly body: HTMLElement;

  constructor(private readonly root: HTMLElement, private readonly actions: PanelActions) {
    root.classList.add('answer-panel');
    root.setAttribute('role', 'region');
    root.hidden = true;
    this.body = element('div', 'answer-body');
    // Announces each new answer once; the panel itself is not a live region, it would read everything.
    this.live = element('p', 'visually-hidden');
    this.live.setAttribute('role', 'status');
    this.live.setAttribute('aria-live', 'polite');
    root.append(this.body, this.live);
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.actions.onClose();
    });
    onLangChange(() => this.render());
  }

  /** What the panel shows now (null when closed). */
  get target(): Target | null {
    return this.shown?.target ?? null;
  }

  show(shown: Shown): void {
    if (shown.state === 'loading') this.root.querySelector('.answer-snapshot')?.remove();
    this.shown = shown;
    this.render();
    if (shown.state === 'answer') {
      this.live.textContent = tx('answerShown', { status: statusLabel(shown.answer.fibre.status), summary: summaryOf(shown.answer) });
    } else if (shown.state === 'error') {
      this.live.textContent = tx('answerError', { message: shown.message });
    }
  }

  /** Adds the THD label to the answer shown, if it is still the one it was fetched for. */
  addThd(target: Target, thd: ThdLabel): void {
    if (this.shown?.state === 'answer' && this.shown.target === target) {
      this.shown = { ...this.shown, thd };
      this.render();
    }
  }

  /** Adds the map's features at the place, if the answer shown is still the one they were found for. */
  addFeatures(target: Target, features: FeatureHit[]): void {
    if (this.shown?.state === 'answer' && this.shown.target === target) {
      this.shown = { ...this.shown, features };
      this.render();
    }
  }

  /** Moves the keyboard focus to the panel's title, so a keyboard user reads on from there. */
  focusTitle(): void {
    this.root.querySelector<HTMLElement>('.answer-title')?.focus();
  }

  close(): void {
    this.shown = null;
    this.root.hidden = true;
    this.body.replaceChildren();
    this.live.textContent = '';
  }

  /**
   * An image of the map for the printed page (the WebGL canvas itself does not print), with the place
   * pinned at `pin` (fractions of the image's width and height) when it is on it.
   */
  setSnapshot(dataUrl: string, pin: { x: number; y: number } | null): void {
    this.root.querySelector('.answer-snapshot')?.remove();
    const figure = element('figure', 'answer-snapshot');
    const img = element('img');
    img.src = dataUrl;
    img.alt = tx('mapSnapshot');
    figure.append(img);
    if (pin && pin.x >= 0 && pin.x <= 1 && pin.y >= 0 && pin.y <= 1) {
      const mark = element('span', 'answer-snapshot-pin');
      mark.style.left = `${pin.x * 100}%`;
      mark.style.top = `${pin.y * 100}%`;
      figure.append(mark);
    }
    this.body.append(figure);
  }

  private render(): void {
    const shown = this.shown;
    if (!shown) return;
    this.root.hidden = false;
    this.root.setAttribute('aria-label', tx('answerRegion'));
    const head = element('div', 'answer-head');
    const title = element('h2', 'answer-title');
    title.id = 'answer-title';
    title.tabIndex = -1;
    const close = element('button', 'answer-close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', tx('close'));
    close.title = tx('close');
    close.addEventListener('click', () => this.actions.onClose());
    head.append(title, close);

    const parts: Node[] = [];
    if (shown.state === 'loading') {
      title.textContent = tx('loadingAnswer');
      this.root.setAttribute('aria-busy', 'true');
    } else {
      this.root.setAttribute('aria-busy', 'false');
    }
    if (shown.state === 'error') {
      title.textContent = tx('answerError', { message: shown.message });
    } else if (shown.state === 'answer') {
      title.textContent = shown.answer.location.label ?? '';
      parts.push(...answerParts(shown.answer, shown.thd, shown.features, this.actions.nameOf));
    } else if (shown.state === 'zone') {
      title.textContent = shown.thd.zone.name;
      parts.push(thdSection(shown.thd));
    }
    if (shown.state === 'answer' || shown.state === 'zone') parts.push(this.actionsBar(shown.target), this.printNote());
    const focused = this.root.contains(document.activeElement) ? document.activeElement?.className : undefined;
    const snapshot = this.root.querySelector('.answer-snapshot');
    this.body.replaceChildren(head, ...parts, ...(snapshot ? [snapshot] : []));
    // A re-render (label or features arriving, language switch) must not drop the reader's focus.
    if (focused) this.root.querySelector<HTMLElement>(`.${focused.split(' ')[0]}`)?.focus();
  }

  /** Printed only: when the page was printed and where it comes from, so the paper can be dated and traced. */
  private printNote(): HTMLElement {
    const when = new Intl.DateTimeFormat(getLang() === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeStyle: 'short' }).format(new Date());
    return element('p', 'answer-print-note', tx('printedOn', { date: when, url: window.location.host }));
  }

  private actionsBar(target: Target): HTMLElement {
    const bar = element('div', 'answer-actions');
    const link = element('a', 'answer-permalink', tx('permalink'));
    link.href = permalinkOf(target);
    const copy = element('button', 'answer-button', tx('copyLink'));
    copy.type = 'button';
    copy.addEventListener('click', () => {
      navigator.clipboard?.writeText(link.href).then(() => {
        copy.textContent = tx('copied');
      }, () => window.prompt(tx('permalink'), link.href));
    });
    const print = element('button', 'answer-button', tx('print'));
    print.type = 'button';
    print.addEventListener('click', () => this.actions.onPrint());
    bar.append(link, copy, print);
    return bar;
  }
}
