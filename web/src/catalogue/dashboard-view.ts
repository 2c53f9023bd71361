// The public dashboard: lots by status per zone as a stacked bar chart (Chart.js) and the same
// figures as a table, which screen readers and keyboard users read instead of the drawing.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { Dashboard, ZoneFigures } from './catalogue-api.ts';
import { statusText, tr } from './catalogue-i18n.ts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** Status colours of the lots' legend on the map (core/layers/zone-lots.layer.ts). */
const COLOURS: Record<string, string> = {
  available: '#1b7a3a', optioned: '#c77700', reserved: '#b35900', sold: '#a02c2c', occupied: '#2160a8', unavailable: '#6b7075',
};

let chart: Chart | undefined;

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)} %`);

export function renderDashboard(canvas: HTMLCanvasElement, tableRoot: HTMLElement, d: Dashboard): void {
  chart?.destroy();
  chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: d.zones.map((z) => z.zone!.name),
      datasets: d.statuses.map((s) => ({ label: statusText(s), data: d.zones.map((z) => z.by_status[s]!.lots), backgroundColor: COLOURS[s] ?? '#888' })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });

  const table = document.createElement('table');
  table.className = 'cat-table';
  const caption = document.createElement('caption');
  caption.textContent = tr('dashboardHeading');
  const head = document.createElement('tr');
  for (const text of [tr('tableZone'), tr('tableLots'), ...d.statuses.map(statusText), tr('tableOccupancy'), tr('tableVacancy'),
    tr('tableAvailable'), tr('tableFibre')]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = text;
    head.append(th);
  }
  const row = (f: ZoneFigures) => {
    const tr_ = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = f.zone?.name ?? tr('overall');
    tr_.append(th);
    for (const value of [String(f.lots_total), ...d.statuses.map((s) => String(f.by_status[s]!.lots)), percent(f.occupancy_rate),
      percent(f.vacancy_rate), Math.round(f.area_available_m2).toLocaleString(), percent(f.fibre_share_by_count)]) {
      const td = document.createElement('td');
      td.textContent = value;
      tr_.append(td);
    }
    return tr_;
  };
  const thead = document.createElement('thead');
  thead.append(head);
  const tbody = document.createElement('tbody');
  tbody.append(...d.zones.map(row), row(d.overall));
  table.append(caption, thead, tbody);
  tableRoot.replaceChildren(table);
}
