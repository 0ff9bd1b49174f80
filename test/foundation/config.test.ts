import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('configuration', () => {
  it('runs with nothing set: embedded database, outbox, scheduler on at 07:00 UTC', () => {
    const config = loadConfig({});
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.smtpUrl, undefined);
    assert.equal(config.port, 3000);
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.scheduler.cron, '0 7 * * *');
    assert.equal(config.scheduler.timezone, 'UTC');
    assert.match(config.dataDir, /\.data$/);
  });

  it('reads per-domain rates, lower-cased', () => {
    const config = loadConfig({ SEND_DOMAIN_RATES: ' Gmail.com:20 , outlook.com:2.5 ' });
    assert.deepEqual(config.send.domainRates, { 'gmail.com': 20, 'outlook.com': 2.5 });
  });

  it('names the variable and the problem for each bad value', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ PORT: 'abc' }, 'PORT', /whole number/],
      [{ PORT: '70000' }, 'PORT', /from 1 to 65535/],
      [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL', /postgres/],
      [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', /not a valid URL/],
      [{ PUBLIC_URL: 'ftp://example.org' }, 'PUBLIC_URL', /http/],
      [{ SMTP_URL: 'http://relay' }, 'SMTP_URL', /smtp/],
      [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN', /16 characters/],
      [{ DIGEST_CRON: 'every morning' }, 'DIGEST_CRON', /cron/],
      [{ DIGEST_TIMEZONE: 'Mars/Olympus' }, 'DIGEST_TIMEZONE', /time zone/],
      [{ SCHEDULER: 'maybe' }, 'SCHEDULER', /on or off/],
      [{ SEND_CONCURRENCY: '0' }, 'SEND_CONCURRENCY', /from 1/],
      [{ SEND_WORKERS: '0' }, 'SEND_WORKERS', /from 1 to 64/],
      [{ SEND_DOMAIN_RATES: 'gmail.com=20' }, 'SEND_DOMAIN_RATES', /domain:rate pairs/],
      [{ SEND_DOMAIN_RATES: 'gmail.com:20,outlook.com:0' }, 'SEND_DOMAIN_RATES', /got "outlook.com:0"/],
      [{ SOURCE: 'twitter' }, 'SOURCE', /huggingface/],
      [{ MAIL_FROM: 'a@b.c\r\nBcc: x@y.z' }, 'MAIL_FROM', /one email address/],
      [{ SES_SNS_TOPIC_ARNS: 'papermail-feedback' }, 'SES_SNS_TOPIC_ARNS', /bad topic ARN/],
      [{ WEBHOOK_SECRET: 'short' }, 'WEBHOOK_SECRET', /16 characters/],
      [{ SENDGRID_WEBHOOK_PUBLIC_KEY: 'not-a-key' }, 'SENDGRID_WEBHOOK_PUBLIC_KEY', /verification key/],
      [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL', /must start with redis:\/\/ or rediss:\/\//],
      [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL', /redis:\/\//],
      [{ REDIS_URL: 'redis://cache:99999' }, 'REDIS_URL', /not a valid URL/],
      [{ REDIS_URL: 'redis://cache:6379/zero' }, 'REDIS_URL', /host\[:port\]\[\/database\]/],
      [{ REDIS_KEY_PREFIX: 'paper mail:' }, 'REDIS_KEY_PREFIX', /without spaces/],
    ];
    for (const [env, variable, problem] of cases) {
      const err = configError(env);
      assert.equal(err.variable, variable);
      assert.ok(err.message.startsWith(variable), err.message);
      assert.match(err.message, problem);
    }
  });

  it('never prints a password from a bad URL', () => {
    const err = configError({ DATABASE_URL: 'mysql://app:hunter2@db/x' });
    assert.doesNotMatch(err.message, /hunter2/);
    // Redis passwords often come without a user name.
    assert.doesNotMatch(configError({ REDIS_URL: 'redis://:hunter2@cache:6379/x' }).message, /hunter2/);
  });

  it('REDIS_URL moves the send budgets to Redis; unset, there is no Redis', () => {
    assert.equal(loadConfig({}).redis, undefined);
    assert.deepEqual(loadConfig({ REDIS_URL: 'rediss://:secret@cache.internal:6380/2' }).redis, {
      url: 'rediss://:secret@cache.internal:6380/2',
      keyPrefix: 'papermail:',
    });
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1', REDIS_KEY_PREFIX: 'news:' });
    assert.equal(config.redis?.keyPrefix, 'news:');
  });

  it('.env.example documents every variable the app reads, and docker-compose sets only documented ones', () => {
    const source = readFileSync('src/config.ts', 'utf8');
    const read = new Set([...source.matchAll(/\(env, '([A-Z_]+)'/g)].map((m) => m[1]!));
    assert.ok(read.size >= 20, `found only ${read.size} variables in config.ts`);
    const example = readFileSync('.env.example', 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
    for (const name of read) assert.ok(documented.has(name), `${name} is read by config.ts but not in .env.example`);

    const compose = parseYaml(readFileSync('docker-compose.yml', 'utf8'));
    assert.deepEqual(Object.keys(compose.services).sort(), ['app', 'mailpit', 'postgres']);
    const appEnv = Object.keys(compose.services.app.environment);
    for (const name of appEnv)
      assert.ok(documented.has(name), `${name} is set in docker-compose.yml but not documented`);
    assert.ok(appEnv.includes('DATABASE_URL') && appEnv.includes('SMTP_URL'));
    assert.match(compose.services.app.environment.SMTP_URL, /mailpit:1025/);
    assert.match(compose.services.app.environment.DATABASE_URL, /@postgres:5432\//);
    assert.equal(compose.services.app.build, '.');
  });
});
