import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_SQLITE_CACHE_MIB } from './platform/db/database.js';

/** Runtime configuration, parsed once from the environment. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** postgres://… selects PostgreSQL; undefined selects the embedded SQLite file under dataDir. */
  databaseUrl: string | undefined;
  /** SQLite page cache per connection, MiB (CITYOPS_SQLITE_CACHE_MIB). */
  sqliteCacheMiB: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  /** Password for the first administrator; when unset a generated one is printed once at first start. */
  adminPassword: string | undefined;
  /** Demo mode: well-known demo users for each level (on while the simulator runs). */
  demo: boolean;
  /** Whether GET /metrics answers without credentials: by default on loopback only (CITYOPS_METRICS_PUBLIC wins). */
  metricsPublic: boolean;
  /** Which proxies' X-Forwarded-For to believe (CITYOPS_TRUST_PROXY): none, a hop count, or addresses/CIDRs. */
  trustProxy: false | number | string[];
  /** Token signing key from CITYOPS_JWT_SECRET(_FILE); undefined keeps the one stored in the database. */
  jwtSecret: string | undefined;
  /** Failed sign-ins in a row that lock an account, and for how long (0: until an administrator unlocks it). */
  loginMaxFailures: number;
  loginLockMinutes: number;
  /** Requests per minute allowed for each user, and for each API key. */
  rateLimitUser: number;
  rateLimitKey: number;
  /** Lifetime of access tokens, seconds. */
  accessTokenTtl: number;
  /** Days raw telemetry readings are kept, and days their 1-minute and 1-hour rollups are kept. */
  rawRetentionDays: number;
  rollupRetentionDays: number;
  /** Readings accepted but not yet committed before ingest answers 503 OVERLOADED. */
  ingestMaxPending: number;
  /** How old, and how far ahead of the server clock, a reading's timestamp may be (else TIMESTAMP_OUT_OF_RANGE). */
  ingestMaxAgeHours: number;
  ingestMaxAheadSeconds: number;
  /** MQTT ingest on or off (CITYOPS_MQTT=off disables both the embedded broker and the external subscriber). */
  mqttEnabled: boolean;
  /** mqtt:// or mqtts:// URL of an external broker to subscribe to; undefined runs the embedded broker. */
  mqttUrl: string | undefined;
  /** Address and port of the embedded broker; `mqttPortExplicit` is true when CITYOPS_MQTT_PORT was set. */
  mqttHost: string;
  mqttPort: number;
  mqttPortExplicit: boolean;
  /** Client id of the persistent session on the external broker (one per cityops ingest process). */
  mqttClientId: string;
  /** The case audit chain: the hash new links use, and where and how often its head is exported (docs/cases.md). */
  auditHash: 'sha256' | 'sm3';
  auditHeadDir: string;
  auditHeadExportMinutes: number;
  /** The city simulator that `npm start` runs beside the server (docs/simulator.md). */
  sim: SimConfig;
  /**
   * CITYOPS_PUBLIC_URL: the address citizens and apps reach cityops at (behind a proxy it differs
   * from the listening one), without a trailing slash; undefined: taken from each request.
   */
  publicUrl: string | undefined;
  /** Open311 GeoReport v2 (docs/open311.md). */
  open311: Open311Config;
  /**
   * The environment as read, for the domains that parse their own settings at start (e.g.
   * intake's parseIntakeConfig): this file knows no domain.
   */
  env: Readonly<NodeJS.ProcessEnv>;
}

/** CITYOPS_OPEN311_*: what the Open311 discovery document says and which jurisdiction ids it takes. */
export interface Open311Config {
  /** CITYOPS_OPEN311_CONTACT: discovery `contact`. */
  contact: string;
  /** CITYOPS_OPEN311_KEY_SERVICE: discovery `key_service`, where app makers get an api_key. */
  keyService: string;
  /** CITYOPS_OPEN311_JURISDICTIONS: accepted jurisdiction_id values (empty: any is accepted and ignored). */
  jurisdictions: string[];
  /** CITYOPS_RATE_LIMIT_OPEN311: POSTs per minute per api_key. */
  postsPerMinute: number;
}

/** CITYOPS_SIM*: the in-process simulator. */
export interface SimConfig {
  /** CITYOPS_SIM (default on): run the simulator beside the server; off for a clean production server. */
  enabled: boolean;
  /** A built-in scenario name or the path of a scenario file (default normal-day). */
  scenario: string;
  /** Overrides of the scenario's fleet size, camera scale and seed (undefined: the scenario's). */
  sensors: number | undefined;
  cameraScale: number | undefined;
  seed: number | undefined;
  /** Hours of history written at the first start, before running live (0: none). */
  backfillHours: number;
  /** Demo mode goes on while the simulator runs, unless CITYOPS_DEMO says otherwise. */
  turnsDemoOn: boolean;
}

/** Thrown when an environment variable is invalid; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be on or off (true/false, 1/0), got "${env[name]}"`);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(name, `must be a whole number between ${min} and ${max}, got "${raw}"`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** The shortest password accepted for a new account (the first administrator's included). */
export const MIN_PASSWORD_LENGTH = 10;

function adminPassword(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.CITYOPS_ADMIN_PASSWORD;
  if (value === undefined || value === '') return undefined;
  if (value.length < MIN_PASSWORD_LENGTH) {
    throw new ConfigError('CITYOPS_ADMIN_PASSWORD', `must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return value;
}

/** Whether `host` only accepts connections from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

function trustProxy(env: NodeJS.ProcessEnv): Config['trustProxy'] {
  const raw = env.CITYOPS_TRUST_PROXY?.trim() ?? '';
  if (raw === '' || ['off', 'false', 'no', '0'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) return integer(env, 'CITYOPS_TRUST_PROXY', 0, 1, 10);
  const entries = raw.split(',').map((entry) => entry.trim());
  // Believing every hop (true) would let any client choose its own address, and so its rate limits.
  const bad = entries.find((entry) => {
    const [address, bits, extra] = entry.split('/');
    const family = net.isIP(address ?? '');
    if (family === 0 || extra !== undefined) return true;
    return bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
  if (bad !== undefined) {
    throw new ConfigError(
      'CITYOPS_TRUST_PROXY',
      `must be the proxy's addresses or CIDRs (e.g. 127.0.0.1,10.0.0.0/8) or the number of proxy hops (e.g. 1), got "${bad}"`,
    );
  }
  return entries;
}

function jwtSecret(env: NodeJS.ProcessEnv): string | undefined {
  const inline = env.CITYOPS_JWT_SECRET?.trim() || undefined;
  const file = env.CITYOPS_JWT_SECRET_FILE?.trim() || undefined;
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError(
      'CITYOPS_JWT_SECRET_FILE',
      'set either CITYOPS_JWT_SECRET or CITYOPS_JWT_SECRET_FILE, not both',
    );
  }
  let secret = inline;
  if (file !== undefined) {
    try {
      secret = fs.readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new ConfigError('CITYOPS_JWT_SECRET_FILE', `cannot read "${file}": ${(error as Error).message}`);
    }
  }
  // 32 characters of `openssl rand -base64 32` carry about 190 bits: enough for HS256.
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError(
      file !== undefined ? 'CITYOPS_JWT_SECRET_FILE' : 'CITYOPS_JWT_SECRET',
      'the signing secret must have at least 32 characters (e.g. openssl rand -base64 48)',
    );
  }
  return secret;
}

/**
 * Reads and validates the core variables (domains parse their own from `env` at start, in build());
 * throws ConfigError naming the first bad one.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.CITYOPS_DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      'CITYOPS_DATABASE_URL',
      `must be a postgres:// or postgresql:// URL (leave it unset for the embedded SQLite database), got "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}"`,
    );
  }
  const logLevel = (env.CITYOPS_LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('CITYOPS_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const host = env.HOST?.trim() || '127.0.0.1';
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host,
    dataDir: path.resolve(env.CITYOPS_DATA_DIR?.trim() || './var'),
    databaseUrl,
    sqliteCacheMiB: integer(env, 'CITYOPS_SQLITE_CACHE_MIB', DEFAULT_SQLITE_CACHE_MIB, 2, 65_536),
    logLevel,
    bodyLimit: integer(env, 'CITYOPS_BODY_LIMIT', 8 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    adminPassword: adminPassword(env),
    demo: flag(env, 'CITYOPS_DEMO', false),
    // Scrapers on the same machine need no credential; from elsewhere the figures need one. Behind
    // a reverse proxy (CITYOPS_TRUST_PROXY) a loopback address is reached from everywhere.
    metricsPublic: flag(env, 'CITYOPS_METRICS_PUBLIC', isLoopbackHost(host) && trustProxy(env) === false),
    trustProxy: trustProxy(env),
    jwtSecret: jwtSecret(env),
    loginMaxFailures: integer(env, 'CITYOPS_LOGIN_MAX_FAILURES', 10, 1, 1000),
    loginLockMinutes: integer(env, 'CITYOPS_LOGIN_LOCK_MINUTES', 15, 0, 525_600),
    rateLimitUser: integer(env, 'CITYOPS_RATE_LIMIT_USER', 1200, 1, 10_000_000),
    rateLimitKey: integer(env, 'CITYOPS_RATE_LIMIT_KEY', 60_000, 1, 10_000_000),
    accessTokenTtl: integer(env, 'CITYOPS_ACCESS_TOKEN_TTL', 900, 30, 86_400),
    ...telemetryRetention(env),
    // At least one full request (10,000 readings), or a valid batch could never be accepted.
    ingestMaxPending: integer(env, 'CITYOPS_INGEST_MAX_PENDING', 500_000, 10_000, 100_000_000),
    // 30 days back by default: the raw retention, so that a backfill of the simulator fits.
    ingestMaxAgeHours: integer(env, 'CITYOPS_INGEST_MAX_AGE_HOURS', 720, 1, 24 * 3650),
    ingestMaxAheadSeconds: integer(env, 'CITYOPS_INGEST_MAX_AHEAD_SECONDS', 300, 0, 86_400),
    ...mqttConfig(env),
    ...auditConfig(env),
    sim: simConfig(env),
    publicUrl: publicUrl(env),
    open311: open311Config(env),
    env: { ...env },
  };
}

function publicUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.CITYOPS_PUBLIC_URL?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search !== '' || url.hash !== '') {
    throw new ConfigError(
      'CITYOPS_PUBLIC_URL',
      `must be an http(s) URL without query, such as https://cityops.example.gov.cn, got "${raw}"`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

function open311Config(env: NodeJS.ProcessEnv): Open311Config {
  const jurisdictions = (env.CITYOPS_OPEN311_JURISDICTIONS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = jurisdictions.find((j) => !/^[A-Za-z0-9_.:-]{1,100}$/.test(j));
  if (bad !== undefined) {
    throw new ConfigError(
      'CITYOPS_OPEN311_JURISDICTIONS',
      `must be comma-separated ids of letters, digits and _ . : -, such as cq.gov.cn,500000, got "${bad}"`,
    );
  }
  return {
    contact: env.CITYOPS_OPEN311_CONTACT?.trim() || '12345 重庆市政务服务便民热线',
    keyService:
      env.CITYOPS_OPEN311_KEY_SERVICE?.trim() ||
      'API keys of kind open311 are issued by the city: cityops key create --kind open311',
    jurisdictions,
    postsPerMinute: integer(env, 'CITYOPS_RATE_LIMIT_OPEN311', 600, 1, 10_000_000),
  };
}

function auditConfig(
  env: NodeJS.ProcessEnv,
): Pick<Config, 'auditHash' | 'auditHeadDir' | 'auditHeadExportMinutes'> {
  const auditHash = env.CITYOPS_AUDIT_HASH?.trim().toLowerCase() || 'sha256';
  if (auditHash !== 'sha256' && auditHash !== 'sm3') {
    throw new ConfigError('CITYOPS_AUDIT_HASH', `must be sha256 or sm3, got "${env.CITYOPS_AUDIT_HASH}"`);
  }
  const dataDir = path.resolve(env.CITYOPS_DATA_DIR?.trim() || './var');
  return {
    auditHash,
    auditHeadDir: path.resolve(env.CITYOPS_AUDIT_HEAD_DIR?.trim() || path.join(dataDir, 'audit-heads')),
    // Hourly by default; 0 turns the export off.
    auditHeadExportMinutes: integer(env, 'CITYOPS_AUDIT_HEAD_EXPORT_MINUTES', 60, 0, 7 * 24 * 60),
  };
}

function simConfig(env: NodeJS.ProcessEnv): SimConfig {
  const enabled = flag(env, 'CITYOPS_SIM', true);
  const optional = (name: string, min: number, max: number) =>
    env[name] === undefined || env[name] === '' ? undefined : integer(env, name, 0, min, max);
  return {
    enabled,
    scenario: env.CITYOPS_SIM_SCENARIO?.trim() || 'normal-day',
    sensors: optional('CITYOPS_SIM_SENSORS', 100, 1_000_000),
    cameraScale: decimal(env, 'CITYOPS_SIM_CAMERA_SCALE', 0, 1),
    seed: optional('CITYOPS_SIM_SEED', 0, 4_294_967_295),
    // 720 h is the ingest's default oldest accepted reading (CITYOPS_INGEST_MAX_AGE_HOURS).
    backfillHours: integer(env, 'CITYOPS_SIM_BACKFILL_HOURS', 3, 0, 720),
    turnsDemoOn: enabled && (env.CITYOPS_DEMO === undefined || env.CITYOPS_DEMO.trim() === ''),
  };
}

function decimal(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new ConfigError(name, `must be a number between ${min} and ${max}, got "${env[name]}"`);
  }
  return value;
}

type MqttConfig = Pick<
  Config,
  'mqttEnabled' | 'mqttUrl' | 'mqttHost' | 'mqttPort' | 'mqttPortExplicit' | 'mqttClientId'
>;

function mqttConfig(env: NodeJS.ProcessEnv): MqttConfig {
  const url = env.CITYOPS_MQTT_URL?.trim() || undefined;
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['mqtt:', 'mqtts:'].includes(parsed.protocol) || parsed.hostname === '') {
      throw new ConfigError(
        'CITYOPS_MQTT_URL',
        `must be an mqtt:// or mqtts:// URL such as mqtt://127.0.0.1:1883 (leave it unset for the embedded broker), got "${url.replace(/:[^:@/]*@/, ':***@')}"`,
      );
    }
  }
  const clientId = env.CITYOPS_MQTT_CLIENT_ID?.trim() || 'cityops-ingest';
  // The topic-safe characters: the id also names the session in the broker's logs and ACLs.
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(clientId)) {
    throw new ConfigError(
      'CITYOPS_MQTT_CLIENT_ID',
      `must be 1–64 letters, digits or _ . : -, got "${clientId}"`,
    );
  }
  const port = env.CITYOPS_MQTT_PORT?.trim();
  return {
    mqttEnabled: flag(env, 'CITYOPS_MQTT', true),
    mqttUrl: url,
    mqttHost: env.CITYOPS_MQTT_HOST?.trim() || '127.0.0.1',
    mqttPort: integer(env, 'CITYOPS_MQTT_PORT', 1883, 0, 65535),
    // A port chosen on purpose must be honoured or refused, never silently replaced.
    mqttPortExplicit: port !== undefined && port !== '',
    mqttClientId: clientId,
  };
}

function telemetryRetention(
  env: NodeJS.ProcessEnv,
): Pick<Config, 'rawRetentionDays' | 'rollupRetentionDays'> {
  const rawRetentionDays = integer(env, 'CITYOPS_RAW_RETENTION_DAYS', 30, 1, 36_500);
  const rollupRetentionDays = integer(env, 'CITYOPS_ROLLUP_RETENTION_DAYS', 365, 1, 36_500);
  // Rollups outliving raw data is the point; the reverse would leave hours with neither.
  if (rollupRetentionDays < rawRetentionDays) {
    throw new ConfigError(
      'CITYOPS_ROLLUP_RETENTION_DAYS',
      `must be at least CITYOPS_RAW_RETENTION_DAYS (${rawRetentionDays}), got ${rollupRetentionDays}`,
    );
  }
  return { rawRetentionDays, rollupRetentionDays };
}
