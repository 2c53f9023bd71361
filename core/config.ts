// Reads the environment once, validates it and documents every default.
import { resolve } from 'node:path';

/** The basemaps the map offers; the visitor can switch among them, this is the one it opens on. */
export const BASEMAPS = ['ign-plan', 'ign-ortho', 'osm', 'none'] as const;
export type Basemap = (typeof BASEMAPS)[number];

export interface Config {
  /** HTTP port (`PORT`, default 3000; 0 picks a free port). */
  port: number;
  /** Interface to listen on (`HOST`, default all interfaces). */
  host: string;
  /** PostgreSQL/PostGIS URL (`DATABASE_URL`); unset means the embedded database. */
  databaseUrl?: string;
  /** Read replicas for public reads (`READ_DATABASE_URL`, comma-separated postgres:// URLs; needs
   *  DATABASE_URL). Unset: every read goes to the primary. */
  readDatabaseUrls: string[];
  /** A replica lagging more than this many ms is skipped (`REPLICA_MAX_LAG_MS`, default 1000). */
  replicaMaxLagMs: number;
  /** How often replica lag is measured, in ms (`REPLICA_PROBE_MS`, default 250). */
  replicaProbeMs: number;
  /** After a write, that client's reads go to the primary for this many seconds, by a cookie
   *  (`READ_YOUR_WRITES_S`, default 5; only with replicas). */
  readYourWritesS: number;
  /** How often the web app asks whether the layers changed, in seconds (`TILE_VERSION_POLL_S`,
   *  default 5; 0 turns live updates off). */
  tileVersionPollS: number;
  /** Where the embedded database and the download files live (`DATA_DIR`, default ./data). */
  dataDir: string;
  /** Basemap under the layers (`BASEMAP`: ign-plan, ign-ortho, osm or none; default ign-plan). */
  basemap: Basemap;
  /** Seed the demo data into a brand-new database (`SEED_DEMO`, default on; `0` turns it off). */
  seedDemo: boolean;
  /** Secret for signing sessions (`SESSION_SECRET`); generated and stored in the database when unset. */
  sessionSecret?: string;
  /** Per-statement limit on PostgreSQL (`STATEMENT_TIMEOUT_MS`, default 15000). */
  statementTimeoutMs: number;
  /** Longest wait for a database connection, connecting included, before a request is answered
   *  503 with Retry-After (`DB_POOL_WAIT_MS`, default 10000). */
  poolWaitMs: number;
  /** Requests allowed to wait for a database connection at once; more are answered 503 at once
   *  (`DB_POOL_MAX_WAITING`, default 256). The embedded database has a single connection. */
  poolMaxWaiting: number;
  /** Where uploads wait for their import job, outside the web root (`IMPORT_DIR`, default
   *  `<DATA_DIR>/imports`); each is removed when its job ends. */
  importDir: string;
  /** Import jobs run at once; later ones queue (`IMPORT_MAX_JOBS`, default 2). */
  importMaxJobs: number;
  /** Heap limit of each import job's process in MiB (`IMPORT_MEMORY_MB`, default 256). */
  importMemoryMb: number;
  /** Redis URL (`REDIS_URL`, redis:// or rediss://): rate limits shared through Redis; unset keeps
   *  them in the database, which every instance shares too. */
  redisUrl?: string;
  /** Scheme, host and path prefix of absolute links (`PUBLIC_BASE_URL`, e.g. https://sig.example.fr,
   *  no trailing slash). Unset: links follow the request's Host, and such responses are sent
   *  `Cache-Control: private` so no shared cache hands one client's Host to another. */
  publicBaseUrl?: string;
  /** Who may show the pages in a frame (`FRAME_ANCESTORS`: space-separated CSP sources such as
   *  https://partner.example.fr; default 'self'; 'none' forbids every frame). */
  frameAncestors: readonly string[];
  /** Reverse proxies in front of the app whose X-Forwarded-* headers are trusted
   *  (`TRUST_PROXY_HOPS`, default 0; `TRUST_PROXY=1` alone means 1). The client address is the
   *  X-Forwarded-For entry this many from the right: entries further left are the client's own
   *  words and never move a rate limit. */
  trustProxyHops: number;
  /** Login attempts per account per 15 minutes, counted before the password is checked
   *  (`LOGIN_MAX_PER_ACCOUNT`, default 10); a successful login clears the account's count. */
  loginMaxPerAccount: number;
  /** Login attempts per client network (IPv4 /24, IPv6 /64) per 15 minutes
   *  (`LOGIN_MAX_PER_NETWORK`, default 50). */
  loginMaxPerNetwork: number;
  /** log2 of scrypt's N for new password hashes (`PASSWORD_HASH_COST`, see readPasswordHashCost). */
  passwordHashCost: number;
  /** `NODE_ENV=production` quiets development logging; it changes nothing else. */
  production: boolean;
  /** Licence of the open data (`OPEN_DATA_LICENCE`, default Licence Ouverte / Open Licence 2.0, Etalab). */
  openDataLicence: string;
  /** Where that licence is published (`OPEN_DATA_LICENCE_URL`, default Etalab's Licence Ouverte 2.0 page). */
  openDataLicenceUrl: string;
  /** Who publishes the open data, named as its source (`OPEN_DATA_PUBLISHER`, default Montfort Communauté). */
  openDataPublisher: string;
  /** Browser/CDN lifetime of tiles and TileJSON in seconds (`TILE_MAX_AGE`, default 0: clients
   *  revalidate every time with If-None-Match, which is a cheap 304, so an edit shows at once). */
  tileMaxAge: number;
  /** Server-side cache of encoded tiles in MiB (`TILE_CACHE_MB`, default 128; 0 turns it off). */
  tileCacheMb: number;
  /** Filtered OGC items pages count their matches (numberMatched) on layers of at most this many public
   *  features (`OGC_COUNT_MAX_FEATURES`, default 10,000; 0: never); larger layers are not counted. */
  ogcCountMaxFeatures: number;
  /** HTTP worker processes (`WEB_CONCURRENCY`, default 1: one process; node:cluster shares the port). */
  webConcurrency: number;
  /** Longest time a write may take to show in tiles, OGC API responses and downloads on any instance,
   *  in ms (`TILE_FRESHNESS_MS`, default 250: layer versions and the database identity are re-read at
   *  most this often; 0 re-reads them on every request). */
  tileFreshnessMs: number;
  /** Disk kept for built download files under DATA_DIR/downloads, in MiB (`DOWNLOAD_CACHE_MB`, default
   *  1024; least recently used files go first; 0 keeps no file beyond the downloads it is serving). */
  downloadCacheMb: number;
  /** GeoPackage builds allowed to wait behind the one running (`DOWNLOAD_QUEUE_MAX`, default 8);
   *  one more is answered 503 with Retry-After. */
  downloadQueueMax: number;
  /** Share of a business zone's lots, by count and by area, that deployed fibre must cover for the
   *  "Zone d'activité Très Haut Débit" label (`THD_LABEL_THRESHOLD`, 0 to 1, default 0.8). */
  thdLabelThreshold: number;
  /** The EPCI named in every row of the ZAE inventory (`ZAE_EPCI_NAME`, default Montfort Communauté). */
  zaeEpciName: string;
  /** That EPCI's SIREN, 9 digits (`ZAE_EPCI_SIREN`, default 243500667, Montfort Communauté's). */
  zaeEpciSiren: string;
  /** Days an enquiry about a lot (the enquirer's personal data) is kept before it is purged
   *  (`ENQUIRY_RETENTION_DAYS`, default 365). */
  enquiryRetentionDays: number;
  /** Where new enquiries are e-mailed when SMTP_URL is set (`ENQUIRY_MAIL_TO`, staff address; unset: no mail). */
  enquiryMailTo?: string;
  /** Largest file staff may attach to a lot, in MiB (`ATTACHMENT_MAX_MB`, default 10). */
  attachmentMaxMb: number;
  /** SMTP server for outgoing mail, e.g. smtp://user:pass@host:587 (`SMTP_URL`); unset turns mail off. */
  smtpUrl?: string;
  /** Sender of outgoing mail (`MAIL_FROM`, default `WebSIG <no-reply@localhost>`). */
  mailFrom: string;
  incidents: IncidentConfig;
}

/** Incident reporting (plan action 5.3). */
export interface IncidentConfig {
  /** Show new reports in tiles, OGC API and downloads at once (`INCIDENT_AUTO_PUBLISH=1`); by
   *  default they stay unpublished until staff publish them. */
  autoPublish: boolean;
  /** Days after a report is closed before its reporters' details are erased (`INCIDENT_RETENTION_DAYS`, default 180). */
  retentionDays: number;
  /** How often the purge of expired reporters' details runs, in minutes (`INCIDENT_PURGE_EVERY_MIN`, default 60). */
  purgeEveryMin: number;
  /** Reports one client may send per window (`INCIDENT_RATE_LIMIT`, default 10). */
  rateLimit: number;
  /** That window in seconds (`INCIDENT_RATE_WINDOW_S`, default 600). */
  rateWindowS: number;
  /** Largest photo accepted, in bytes (`INCIDENT_PHOTO_MAX_MB`, default 8). */
  photoMaxBytes: number;
  /** Staff addresses told of each new report (`INCIDENT_STAFF_EMAILS`, comma-separated; none by default). */
  staffEmails: readonly string[];
  /** Keys an Open311 client must give as `api_key` to POST (`OPEN311_API_KEYS`, comma-separated);
   *  none means Open311 POST is open like the web form. */
  open311ApiKeys: readonly string[];
}

export class ConfigError extends Error {}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function fraction(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^[0-9.]+$/.test(raw) || !(value >= 0 && value <= 1)) throw new ConfigError(`${name} must be a number from 0 to 1, got "${raw}"`);
  return value;
}

function httpUrl(name: string, raw: string | undefined, fallback: string): string {
  if (raw === undefined || raw === '') return fallback;
  if (!/^https?:\/\/\S+$/.test(raw)) throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  return raw;
}

const FRAME_SOURCE = /^('self'|'none'|https?:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?)$/i;

function frameAncestors(raw: string | undefined): readonly string[] {
  const sources = (raw ?? '').split(/\s+/).filter(Boolean);
  if (sources.length === 0) return ["'self'"];
  const bad = sources.find((s) => !FRAME_SOURCE.test(s));
  if (bad) throw new ConfigError(`FRAME_ANCESTORS takes 'self', 'none' or http(s) origins separated by spaces, got "${bad}"`);
  if (sources.includes("'none'") && sources.length > 1) throw new ConfigError("FRAME_ANCESTORS: 'none' cannot be combined with other sources");
  return sources;
}

/** log2 of scrypt's cost N for new password hashes (`PASSWORD_HASH_COST`, default 17: OWASP's
 *  N=2^17, r=8, p=1, 128 MiB per hash). Only tests should lower it; stored hashes keep their own cost,
 *  and a login with a hash of another cost rehashes it. Read apart from loadConfig because account
 *  tools (user:add) hash passwords without the server's configuration. */
export function readPasswordHashCost(env: NodeJS.ProcessEnv = process.env): number {
  return integer('PASSWORD_HASH_COST', env.PASSWORD_HASH_COST, 17, 10, 20);
}

function matching(name: string, raw: string | undefined, fallback: string, pattern: RegExp, expected: string): string {
  if (raw === undefined || raw === '') return fallback;
  if (!pattern.test(raw)) throw new ConfigError(`${name} must be ${expected}, got "${raw}"`);
  return raw;
}

function smtpUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^smtps?:\/\/\S+$/.test(raw)) throw new ConfigError('SMTP_URL must be an smtp:// or smtps:// URL');
  return raw;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Builds the configuration from an environment (process.env by default); throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const basemap = (env.BASEMAP || 'ign-plan') as Basemap;
  if (!BASEMAPS.includes(basemap)) {
    throw new ConfigError(`BASEMAP must be one of ${BASEMAPS.join(', ')}, got "${env.BASEMAP}"`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const dataDir = resolve(env.DATA_DIR || './data');
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\/\S+$/.test(redisUrl)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  const readDatabaseUrls = (env.READ_DATABASE_URL || '').split(',').map((u) => u.trim()).filter(Boolean);
  if (readDatabaseUrls.some((u) => !/^postgres(ql)?:\/\//.test(u))) {
    throw new ConfigError('READ_DATABASE_URL must be postgres:// or postgresql:// URLs, separated by commas');
  }
  if (readDatabaseUrls.length && !databaseUrl) throw new ConfigError('READ_DATABASE_URL needs DATABASE_URL (the primary)');
  return {
    port: integer('PORT', env.PORT, 3000, 0, 65535),
    host: env.HOST || '::',
    databaseUrl,
    readDatabaseUrls,
    replicaMaxLagMs: integer('REPLICA_MAX_LAG_MS', env.REPLICA_MAX_LAG_MS, 1000, 1, 3_600_000),
    replicaProbeMs: integer('REPLICA_PROBE_MS', env.REPLICA_PROBE_MS, 250, 10, 60_000),
    readYourWritesS: integer('READ_YOUR_WRITES_S', env.READ_YOUR_WRITES_S, 5, 1, 3600),
    tileVersionPollS: integer('TILE_VERSION_POLL_S', env.TILE_VERSION_POLL_S, 5, 0, 3600),
    dataDir,
    basemap,
    seedDemo: env.SEED_DEMO !== '0',
    sessionSecret: env.SESSION_SECRET || undefined,
    statementTimeoutMs: integer('STATEMENT_TIMEOUT_MS', env.STATEMENT_TIMEOUT_MS, 15_000, 100, 3_600_000),
    poolWaitMs: integer('DB_POOL_WAIT_MS', env.DB_POOL_WAIT_MS, 10_000, 1, 600_000),
    poolMaxWaiting: integer('DB_POOL_MAX_WAITING', env.DB_POOL_MAX_WAITING, 256, 0, 100_000),
    importDir: resolve(env.IMPORT_DIR || resolve(dataDir, 'imports')),
    importMaxJobs: integer('IMPORT_MAX_JOBS', env.IMPORT_MAX_JOBS, 2, 1, 64),
    importMemoryMb: integer('IMPORT_MEMORY_MB', env.IMPORT_MEMORY_MB, 256, 64, 65_536),
    redisUrl,
    publicBaseUrl: env.PUBLIC_BASE_URL ? httpUrl('PUBLIC_BASE_URL', env.PUBLIC_BASE_URL, '').replace(/\/+$/, '') : undefined,
    frameAncestors: frameAncestors(env.FRAME_ANCESTORS),
    trustProxyHops: integer('TRUST_PROXY_HOPS', env.TRUST_PROXY_HOPS, env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true' ? 1 : 0, 0, 10),
    loginMaxPerAccount: integer('LOGIN_MAX_PER_ACCOUNT', env.LOGIN_MAX_PER_ACCOUNT, 10, 1, 10_000),
    loginMaxPerNetwork: integer('LOGIN_MAX_PER_NETWORK', env.LOGIN_MAX_PER_NETWORK, 50, 1, 100_000),
    passwordHashCost: readPasswordHashCost(env),
    production: env.NODE_ENV === 'production',
    openDataLicence: env.OPEN_DATA_LICENCE || 'Licence Ouverte / Open Licence 2.0',
    openDataLicenceUrl: httpUrl('OPEN_DATA_LICENCE_URL', env.OPEN_DATA_LICENCE_URL, 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/'),
    openDataPublisher: env.OPEN_DATA_PUBLISHER || 'Montfort Communauté',
    tileMaxAge: integer('TILE_MAX_AGE', env.TILE_MAX_AGE, 0, 0, 31_536_000),
    tileCacheMb: integer('TILE_CACHE_MB', env.TILE_CACHE_MB, 128, 0, 65_536),
    ogcCountMaxFeatures: integer('OGC_COUNT_MAX_FEATURES', env.OGC_COUNT_MAX_FEATURES, 10_000, 0, 1_000_000_000),
    webConcurrency: integer('WEB_CONCURRENCY', env.WEB_CONCURRENCY, 1, 1, 256),
    tileFreshnessMs: integer('TILE_FRESHNESS_MS', env.TILE_FRESHNESS_MS, 250, 0, 60_000),
    downloadCacheMb: integer('DOWNLOAD_CACHE_MB', env.DOWNLOAD_CACHE_MB, 1024, 0, 1_048_576),
    downloadQueueMax: integer('DOWNLOAD_QUEUE_MAX', env.DOWNLOAD_QUEUE_MAX, 8, 0, 10_000),
    thdLabelThreshold: fraction('THD_LABEL_THRESHOLD', env.THD_LABEL_THRESHOLD, 0.8),
    zaeEpciName: env.ZAE_EPCI_NAME || 'Montfort Communauté',
    zaeEpciSiren: matching('ZAE_EPCI_SIREN', env.ZAE_EPCI_SIREN, '243500667', /^[0-9]{9}$/, '9 digits'),
    enquiryRetentionDays: integer('ENQUIRY_RETENTION_DAYS', env.ENQUIRY_RETENTION_DAYS, 365, 1, 3650),
    enquiryMailTo: env.ENQUIRY_MAIL_TO ? matching('ENQUIRY_MAIL_TO', env.ENQUIRY_MAIL_TO, '', /^[^\s@]+@[^\s@]+$/, 'an e-mail address') : undefined,
    attachmentMaxMb: integer('ATTACHMENT_MAX_MB', env.ATTACHMENT_MAX_MB, 10, 1, 100),
    smtpUrl: smtpUrl(env.SMTP_URL),
    mailFrom: env.MAIL_FROM || 'WebSIG <no-reply@localhost>',
    incidents: {
      autoPublish: env.INCIDENT_AUTO_PUBLISH === '1' || env.INCIDENT_AUTO_PUBLISH === 'true',
      retentionDays: integer('INCIDENT_RETENTION_DAYS', env.INCIDENT_RETENTION_DAYS, 180, 0, 3650),
      purgeEveryMin: integer('INCIDENT_PURGE_EVERY_MIN', env.INCIDENT_PURGE_EVERY_MIN, 60, 1, 10_080),
      rateLimit: integer('INCIDENT_RATE_LIMIT', env.INCIDENT_RATE_LIMIT, 10, 1, 100_000),
      rateWindowS: integer('INCIDENT_RATE_WINDOW_S', env.INCIDENT_RATE_WINDOW_S, 600, 1, 86_400),
      photoMaxBytes: integer('INCIDENT_PHOTO_MAX_MB', env.INCIDENT_PHOTO_MAX_MB, 8, 1, 50) * 1024 * 1024,
      staffEmails: list(env.INCIDENT_STAFF_EMAILS),
      open311ApiKeys: list(env.OPEN311_API_KEYS),
    },
  };
}
