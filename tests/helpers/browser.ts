// What the browser tests share: Debian's Chromium, how it is launched, and the app it is pointed at.
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: the only browser driven (never a downloaded one). */
export const CHROMIUM = '/usr/bin/chromium';

/** Launches Chromium headless with software WebGL (SwiftShader) and no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The app under test: WEB_TEST_URL when set (a server started by hand while developing the front-end),
 * else the real app on the test database with BASEMAP=none. Imported lazily so that a case which does
 * not need the database does not open one.
 */
export async function startServer(): Promise<RunningServer> {
  const external = process.env.WEB_TEST_URL;
  if (external) return { url: external.replace(/\/+$/, ''), close: async () => {} };
  const { startTestServer } = await import('./test-server.ts');
  return startTestServer();
}
