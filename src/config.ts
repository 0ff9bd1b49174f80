// The one place that reads the environment. Everything else receives a Config.
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { validate as validateCron } from 'node-cron';

export interface Config {
  /** Postgres to use; when absent an embedded Postgres is started under DATA_DIR. */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  /** Base of every link in emails and pages, without a trailing slash. */
  publicUrl: string;
  /** Bearer token for /api/admin; admin routes are off when absent. */
  adminToken: string | undefined;
  /** Secret for signed values (CSRF). Generated and kept under DATA_DIR when not given. */
  secret: string | undefined;
  /** SMTP relay; when absent, messages are written as .eml files under DATA_DIR/outbox. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** List-Id header value, e.g. "papermail.example.org". */
  listId: string;
  dataDir: string;
  logLevel: string;
  /** Whether X-Forwarded-For names the client: on only behind a reverse proxy that sets it. */
  trustProxy: boolean;
  /** What one client may hold of the HTTP server: slow or idle clients are cut off (README, "Hardening"). */
  http: {
    /** The whole request, headers and body, must arrive within this. */
    requestTimeoutMs: number;
    /** A connection with no traffic either way for this long is closed. */
    connectionTimeoutMs: number;
    /** Open connections at once; more are dropped at accept. */
    maxConnections: number;
    /** Requests on one keep-alive connection before the server closes it. */
    maxRequestsPerSocket: number;
  };
  /** A listener of its own for GET /metrics without the admin token; undefined: only the app's token-guarded one. */
  metrics: { host: string; port: number } | undefined;
  /** Sign-up requests one client IP may make per time window (POST /api/subscriptions and the form). */
  signupRateLimit: { max: number; timeWindow: number };
  scheduler: { enabled: boolean; cron: string; timezone: string };
  /** A running run whose heartbeat is older than this is abandoned (its process died); a live one beats every third. */
  runStaleMs: number;
  send: {
    /** SMTP connections of each sender worker. */
    concurrency: number;
    /** Messages per second across every worker of every instance (a token bucket, Postgres or Redis); 0: no limit. */
    ratePerSecond: number;
    /** Messages per second to a recipient domain, across every worker of every instance. */
    domainRates: Record<string, number>;
    /** Sender workers (threads, each with its own SMTP pool) in this process; 1: send on the main thread. */
    workers: number;
    /** How often an instance that runs the schedule sends whatever is due (retries, resends, due hours). */
    loopMs: number;
    maxAttempts: number;
    /** First retry delay; doubles with each attempt. */
    retryBaseMs: number;
    /** How long `papermail digest` waits for retries before it gives up and reports what is pending. */
    waitLimitMs: number;
    batchSize: number;
    /** How long a claimed delivery stays a sender's own; a live sender renews it, a dead one lets it lapse. */
    leaseMs: number;
    /** Threads that render and build messages beside the sending thread (0: render on the sending thread). */
    renderThreads: number;
  };
  /**
   * Redis for the send budgets (SEND_RATE, SEND_DOMAIN_RATES) instead of Postgres; undefined: Postgres, and no
   * Redis connection is ever opened.
   */
  redis: { url: string; keyPrefix: string } | undefined;
  dkim: { domain: string; selector: string; privateKey: string } | undefined;
  /** Provider feedback (bounces, complaints) by webhook. An endpoint whose secret is unset is off (404). */
  webhooks: {
    /** Amazon SES through SNS: the topics whose notifications are accepted. */
    sesTopicArns: string[];
    /** Test only: an origin (scheme://host:port) trusted like sns.<region>.amazonaws.com for certificates. */
    sesTrustedCertOrigin: string | undefined;
    /** Postmark: the Basic-auth password (any user name) or X-Webhook-Secret header value. */
    postmarkSecret: string | undefined;
    /** Mailgun's HTTP webhook signing key. */
    mailgunSigningKey: string | undefined;
    /** SendGrid's event webhook verification key: base64 of a DER (SPKI) ECDSA P-256 public key. */
    sendgridPublicKey: string | undefined;
    /** The generic endpoint's HMAC-SHA256 key. */
    genericSecret: string | undefined;
    /** Signed timestamps (Mailgun, SendGrid) older or newer than this many seconds are refused as stale. */
    maxAgeSeconds: number;
  };
  sources: {
    default: string;
    hfBaseUrl: string;
    arxivBaseUrl: string;
    arxivCategories: string[];
    /** Milliseconds a single HTTP request may take. */
    timeoutMs: number;
    /** Retries of a source request after 429, 5xx, a timeout or a network error (with exponential backoff). */
    retries: number;
  };
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback?: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? fallback : value;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be from ${min} to ${max} (got ${value})`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be on or off (got "${raw}")`);
}

function url(env: Env, name: string, protocols: string[], fallback?: string): string | undefined {
  const raw = str(env, name, fallback);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL (got "${redact(raw)}")`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(
      name,
      `must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${redact(raw)}")`,
    );
  }
  return raw;
}

/** Hides a password in a URL so that config errors never print secrets (also `redis://:password@host`). */
function redact(raw: string): string {
  return raw.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}

function timezoneOk(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function secretOf(env: Env, name: string): string | undefined {
  const value = str(env, name);
  if (value !== undefined && value.length < 16) throw new ConfigError(name, 'must be at least 16 characters long');
  return value;
}

/** SEND_DOMAIN_RATES=gmail.com:20,outlook.com:10: messages per second per recipient domain. */
function readDomainRates(env: Env): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const part of (str(env, 'SEND_DOMAIN_RATES') ?? '').split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const match = /^([a-z0-9.-]+\.[a-z]{2,}):(\d+(?:\.\d+)?)$/i.exec(entry);
    const rate = Number(match?.[2]);
    if (!match || !(rate > 0) || rate > 100000) {
      throw new ConfigError(
        'SEND_DOMAIN_RATES',
        `must be domain:rate pairs separated by commas, e.g. gmail.com:20,outlook.com:10 (got "${entry}")`,
      );
    }
    rates[match[1]!.toLowerCase()] = rate;
  }
  return rates;
}

/** REDIS_URL (and REDIS_KEY_PREFIX, which keeps several deployments apart on one Redis). */
function readRedis(env: Env): Config['redis'] {
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const keyPrefix = str(env, 'REDIS_KEY_PREFIX', 'papermail:')!;
  if (!/^[\x21-\x7e]{1,64}$/.test(keyPrefix)) {
    throw new ConfigError(
      'REDIS_KEY_PREFIX',
      `must be 1 to 64 printable characters without spaces (got "${keyPrefix}")`,
    );
  }
  if (redisUrl === undefined) return undefined;
  const { hostname, pathname } = new URL(redisUrl);
  if (hostname === '' || !/^(\/\d*)?$/.test(pathname)) {
    throw new ConfigError(
      'REDIS_URL',
      `must be redis://[user:password@]host[:port][/database], e.g. redis://127.0.0.1:6379/0 (got "${redact(redisUrl)}")`,
    );
  }
  return { url: redisUrl, keyPrefix };
}

function readWebhooks(env: Env): Config['webhooks'] {
  const sesTopicArns = (str(env, 'SES_SNS_TOPIC_ARNS') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const arn of sesTopicArns) {
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(arn)) {
      throw new ConfigError('SES_SNS_TOPIC_ARNS', `has a bad topic ARN "${arn}"`);
    }
  }
  const trusted = url(env, 'SES_SNS_TRUSTED_CERT_ORIGIN', ['http:', 'https:']);
  const sendgridPublicKey = str(env, 'SENDGRID_WEBHOOK_PUBLIC_KEY');
  if (sendgridPublicKey !== undefined) {
    try {
      createPublicKey({ key: Buffer.from(sendgridPublicKey, 'base64'), format: 'der', type: 'spki' });
    } catch {
      throw new ConfigError('SENDGRID_WEBHOOK_PUBLIC_KEY', 'must be the base64 verification key SendGrid shows');
    }
  }
  return {
    sesTopicArns,
    sesTrustedCertOrigin: trusted === undefined ? undefined : new URL(trusted).origin,
    postmarkSecret: secretOf(env, 'POSTMARK_WEBHOOK_SECRET'),
    mailgunSigningKey: str(env, 'MAILGUN_WEBHOOK_SIGNING_KEY'),
    sendgridPublicKey,
    genericSecret: secretOf(env, 'WEBHOOK_SECRET'),
    maxAgeSeconds: int(env, 'WEBHOOK_MAX_AGE_SECONDS', 300, 10, 86400),
  };
}

/** Reads `.env` from the working directory when present; real environment variables win. */
export function readEnv(cwd = process.cwd(), env: Env = process.env): Env {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return { ...env };
  return { ...parseDotenv(readFileSync(file)), ...env };
}

/** Validates the environment into a Config, or throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Env): Config {
  const port = int(env, 'PORT', 3000, 1, 65535);
  const host = str(env, 'HOST', '127.0.0.1')!;
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:'], `http://localhost:${port}`)!.replace(/\/+$/, '');

  const adminToken = str(env, 'ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN', 'must be at least 16 characters long');
  }
  const secret = str(env, 'SECRET');
  if (secret !== undefined && secret.length < 32)
    throw new ConfigError('SECRET', 'must be at least 32 characters long');

  const mailFrom = str(env, 'MAIL_FROM', 'papermail <digest@localhost>')!;
  if (/[\r\n]/.test(mailFrom) || !/@/.test(mailFrom)) throw new ConfigError('MAIL_FROM', 'must be one email address');

  const cron = str(env, 'DIGEST_CRON', '0 7 * * *')!;
  if (!validateCron(cron)) throw new ConfigError('DIGEST_CRON', `is not a valid cron expression (got "${cron}")`);
  const timezone = str(env, 'DIGEST_TIMEZONE', 'UTC')!;
  if (!timezoneOk(timezone)) throw new ConfigError('DIGEST_TIMEZONE', `is not a known time zone (got "${timezone}")`);

  const logLevel = str(env, 'LOG_LEVEL', 'info')!;
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(
      'LOG_LEVEL',
      `must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`,
    );
  }

  const metricsPort = str(env, 'METRICS_PORT') === undefined ? undefined : int(env, 'METRICS_PORT', 0, 1, 65535);
  if (str(env, 'METRICS_HOST') !== undefined && metricsPort === undefined) {
    throw new ConfigError('METRICS_HOST', 'needs METRICS_PORT too (the port of the metrics listener)');
  }
  if (metricsPort !== undefined && metricsPort === port) {
    throw new ConfigError('METRICS_PORT', `must differ from PORT (${port}): the metrics listener is a separate one`);
  }

  const source = str(env, 'SOURCE', 'huggingface')!;
  if (!['huggingface', 'arxiv'].includes(source) && !source.startsWith('file:')) {
    throw new ConfigError('SOURCE', `must be huggingface, arxiv or file:PATH (got "${source}")`);
  }
  const categories = (str(env, 'ARXIV_CATEGORIES', 'cs.CL,cs.LG,cs.CV') ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const c of categories) {
    if (!/^[a-z-]+(\.[A-Za-z-]+)?$/.test(c)) throw new ConfigError('ARXIV_CATEGORIES', `has a bad category "${c}"`);
  }

  const dkimDomain = str(env, 'DKIM_DOMAIN');
  const dkimSelector = str(env, 'DKIM_SELECTOR');
  let dkimKey = str(env, 'DKIM_PRIVATE_KEY')?.replace(/\\n/g, '\n');
  const dkimKeyFile = str(env, 'DKIM_PRIVATE_KEY_FILE');
  if (dkimKeyFile !== undefined) {
    if (!existsSync(dkimKeyFile)) throw new ConfigError('DKIM_PRIVATE_KEY_FILE', `names a file that does not exist`);
    dkimKey = readFileSync(dkimKeyFile, 'utf8');
  }
  let dkim: Config['dkim'];
  if (dkimDomain || dkimSelector || dkimKey) {
    if (!dkimDomain) throw new ConfigError('DKIM_DOMAIN', 'is required when DKIM is configured');
    if (!dkimSelector) throw new ConfigError('DKIM_SELECTOR', 'is required when DKIM is configured');
    if (!dkimKey?.includes('PRIVATE KEY')) {
      throw new ConfigError('DKIM_PRIVATE_KEY', 'must be a PEM private key (or set DKIM_PRIVATE_KEY_FILE)');
    }
    dkim = { domain: dkimDomain, selector: dkimSelector, privateKey: dkimKey };
  }

  return {
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    host,
    port,
    publicUrl,
    adminToken,
    secret,
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom,
    listId: str(env, 'LIST_ID', `papermail.${new URL(publicUrl).hostname}`)!,
    dataDir: path.resolve(str(env, 'DATA_DIR', './.data')!),
    logLevel,
    trustProxy: bool(env, 'TRUST_PROXY', false),
    http: {
      requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30000, 1000, 3600000),
      connectionTimeoutMs: int(env, 'CONNECTION_TIMEOUT_MS', 600000, 1000, 3600000),
      maxConnections: int(env, 'MAX_CONNECTIONS', 1000, 1, 1000000),
      maxRequestsPerSocket: int(env, 'MAX_REQUESTS_PER_SOCKET', 1000, 1, 1000000),
    },
    metrics:
      metricsPort === undefined ? undefined : { host: str(env, 'METRICS_HOST', '127.0.0.1')!, port: metricsPort },
    signupRateLimit: { max: int(env, 'SIGNUP_RATE_LIMIT', 20, 1, 100000), timeWindow: 3_600_000 },
    scheduler: { enabled: bool(env, 'SCHEDULER', true), cron, timezone },
    runStaleMs: int(env, 'RUN_STALE_MS', 60000, 300, 86400000),
    send: {
      concurrency: int(env, 'SEND_CONCURRENCY', 5, 1, 100),
      ratePerSecond: int(env, 'SEND_RATE', 0, 0, 100000),
      domainRates: readDomainRates(env),
      workers: int(env, 'SEND_WORKERS', availableParallelism(), 1, 64),
      loopMs: int(env, 'SEND_LOOP_MS', 60000, 100, 3600000),
      maxAttempts: int(env, 'SEND_MAX_ATTEMPTS', 5, 1, 50),
      retryBaseMs: int(env, 'SEND_RETRY_BASE_MS', 30000, 10, 86400000),
      waitLimitMs: int(env, 'SEND_WAIT_LIMIT_MS', 600000, 0, 86400000),
      batchSize: int(env, 'SEND_BATCH_SIZE', 200, 1, 10000),
      leaseMs: int(env, 'SEND_LEASE_MS', 120000, 300, 86400000),
      renderThreads:
        str(env, 'SEND_RENDER_THREADS', 'auto') === 'auto'
          ? Math.min(2, Math.max(0, availableParallelism() - 1))
          : int(env, 'SEND_RENDER_THREADS', 0, 0, 16),
    },
    redis: readRedis(env),
    dkim,
    webhooks: readWebhooks(env),
    sources: {
      default: source,
      hfBaseUrl: url(env, 'HF_BASE_URL', ['http:', 'https:'], 'https://huggingface.co')!.replace(/\/+$/, ''),
      arxivBaseUrl: url(env, 'ARXIV_BASE_URL', ['http:', 'https:'], 'https://export.arxiv.org')!.replace(/\/+$/, ''),
      arxivCategories: categories,
      timeoutMs: int(env, 'HTTP_TIMEOUT_MS', 20000, 100, 600000),
      retries: int(env, 'HTTP_RETRIES', 3, 0, 10),
    },
  };
}
