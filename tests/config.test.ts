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

  it('trusts no proxy by default, one with TRUST_PROXY=1, and the hops TRUST_PROXY_HOPS names', () => {
    expect(loadConfig({}).trustProxyHops).toBe(0);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxyHops).toBe(1);
    expect(loadConfig({ TRUST_PROXY_HOPS: '2' }).trustProxyHops).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY_HOPS: '-1' })).toThrow(/TRUST_PROXY_HOPS/);
  });

  it('hashes passwords at OWASP\'s scrypt cost unless told otherwise, and checks REDIS_URL', () => {
    expect(loadConfig({}).passwordHashCost).toBe(17);
    expect(() => loadConfig({ PASSWORD_HASH_COST: '40' })).toThrow(/PASSWORD_HASH_COST/);
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379' }).redisUrl).toBe('redis://cache:6379');
    expect(() => loadConfig({ REDIS_URL: 'http://cache' })).toThrow(/REDIS_URL/);
  });
});
