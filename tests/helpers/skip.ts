// Suites that cannot run here (no Chromium, no GDAL, no PostGIS) are skipped with their reason in
// their name and on stderr, so a test report never lists a skip without saying why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { CHROMIUM } from './browser.ts';

/** Why the browser suites cannot run here, or null when Debian's Chromium is installed. */
export function missingChromium(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
}

/** Why the GDAL cases cannot run here, or null when GDAL's `ogrinfo` and `ogr2ogr` answer. */
export function missingGdal(): string | null {
  const runs = (command: string) => spawnSync(command, ['--version']).status === 0;
  return runs('ogrinfo') && runs('ogr2ogr') ? null : 'no GDAL command-line tools (apt-get install gdal-bin)';
}

/** Why the PostGIS-only suites cannot run here, or null when the tests run on PostGIS. */
export function missingPostgis(databaseUrl: string | undefined): string | null {
  return databaseUrl ? null : 'runs on PostGIS only (set TEST_DATABASE_URL)';
}

const announce = (name: string, reason: string): string => {
  console.warn(`skipped "${name}": ${reason}`);
  return `${name} (skipped: ${reason})`;
};

/** `describe`, or, when `reason` is given, a skipped suite that says why. */
export function describeUnless(reason: string | null, name: string, suite: () => void): void {
  if (reason) describe.skip(announce(name, reason), suite);
  else describe(name, suite);
}

/** `it`, or, when `reason` is given, a skipped case that says why. */
export function itUnless(reason: string | null, name: string, test: () => Promise<void> | void, timeout?: number): void {
  if (reason) it.skip(announce(name, reason), test);
  else it(name, test, timeout);
}
