// Configuration: documented defaults, and clear errors for bad values.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../core/config.ts';

describe('configuration', () => {
  it('runs with an empty environment: port 3000, embedded database under ./data, IGN basemap, demo seed', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.basemap).toBe('ign-plan');
    expect(config.seedDemo).toBe(true);
    expect(config.sessionSecret).toBeUndefined();
  });

  it('turns the demo seed off with SEED_DEMO=0', () => {
    expect(loadConfig({ SEED_DEMO: '0' }).seedDemo).toBe(false);
  });

  it('rejects an unknown basemap, a bad port and a non-PostgreSQL URL', () => {
    expect(() => loadConfig({ BASEMAP: 'google' })).toThrow(ConfigError);
    expect(() => loadConfig({ BASEMAP: 'google' })).toThrow(/BASEMAP must be one of ign-plan, ign-ortho, osm, none/);
    expect(loadConfig({ BASEMAP: 'ign-ortho' }).basemap).toBe('ign-ortho');
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('does not let NODE_ENV change anything but logging', () => {
    const dev = loadConfig({});
    const prod = loadConfig({ NODE_ENV: 'production' });
    expect({ ...prod, production: false }).toEqual(dev);
  });
});
