// Cumulative layout shift as the browser measures it, for the browser tests and the web benchmark.
import type { Page } from 'playwright-core';

/** Runs in the page (give it to `addInitScript`): sums every layout shift not caused by input. */
export function installLayoutShiftMeter(): void {
  const meter = window as unknown as { websigCls: number };
  meter.websigCls = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
      if (!entry.hadRecentInput) meter.websigCls += entry.value;
    }
  }).observe({ type: 'layout-shift', buffered: true });
}

/** The layout shift summed since the page opened. */
export function readLayoutShift(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { websigCls: number }).websigCls);
}
