// F1: slow clients. A body or headers that trickle in are cut off at REQUEST_TIMEOUT_MS with a 408; connections are
// capped (MAX_CONNECTIONS) and so are requests per keep-alive connection (MAX_REQUESTS_PER_SOCKET).
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { assertRefusedCleanly, buildSecurityWorld } from './security-world.js';

interface Ended {
  /** Everything the server wrote before it closed the connection. */
  received: string;
  /** From the first byte sent to the close. */
  ms: number;
}

/**
 * Opens a raw connection to `url`, writes `first`, then `drip` every `everyMs` until the server closes it (or, with
 * `closeAfterMs`, until then: for answers that leave the connection open).
 */
function trickle(
  url: string,
  first: string,
  drip: string,
  everyMs: number,
  options: { closeAfterMs?: number } = {},
): Promise<Ended> {
  const giveUpMs = options.closeAfterMs ?? 10_000;
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const started = Date.now();
    let received = '';
    const timer = setInterval(() => socket.writable && socket.write(drip), everyMs);
    const giveUp = setTimeout(() => {
      socket.destroy();
      if (options.closeAfterMs === undefined) {
        reject(new Error(`the server kept the connection open for ${giveUpMs} ms; it got ${received.length} bytes`));
      }
    }, giveUpMs);
    socket.on('connect', () => socket.write(first));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ received, ms: Date.now() - started });
    });
  });
}

const SLOW_BODY_HEAD =
  'POST /api/subscriptions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{';

describe('F1: slow clients', () => {
  it("cuts off a body that trickles in (the review's R03) with a 408, and keeps serving others", async () => {
    const world = await buildSecurityWorld({ REQUEST_TIMEOUT_MS: '1000' });
    const base = await world.listen();
    const ended = await assertRefusedCleanly(world, async () => {
      const slow = trickle(base, SLOW_BODY_HEAD, ' ', 200);
      // While it trickles, a normal request is answered at once.
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      return slow;
    });
    assert.ok(ended.ms >= 900 && ended.ms < 3000, `cut after ${ended.ms} ms, REQUEST_TIMEOUT_MS is 1000`);
    assert.match(ended.received, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(ended.received, /"error":"PAPERMAIL_ERR_REQUEST_TIMEOUT"/);
    assert.match(ended.received, /\r\nx-content-type-options: nosniff\r\n/i, 'with the security headers');
    assert.match(ended.received, /\r\ncontent-security-policy: default-src 'self'/i);
    assert.ok(world.logs.some((l) => l.msg === 'client error: connection closed' && l.statusCode === 408));
  });

  it('cuts off headers that trickle in, and a connection that sends nothing', async () => {
    const world = await buildSecurityWorld({ REQUEST_TIMEOUT_MS: '1000' });
    const base = await world.listen();
    const [headers, silent] = await assertRefusedCleanly(world, () =>
      Promise.all([
        trickle(base, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-a: b\r\n', 200),
        trickle(base, '', '', 60_000),
      ]),
    );
    assert.ok(headers.ms < 3000, `headers cut after ${headers.ms} ms`);
    assert.match(headers.received, /^HTTP\/1\.1 408 /);
    assert.ok(silent.ms < 3000, `a silent connection closed after ${silent.ms} ms`);
  });

  it('drops connections over MAX_CONNECTIONS, and serves at most MAX_REQUESTS_PER_SOCKET on one keep-alive connection', async () => {
    const world = await buildSecurityWorld({ MAX_CONNECTIONS: '2', MAX_REQUESTS_PER_SOCKET: '2' });
    const base = await world.listen();
    const { hostname, port } = new URL(base);
    const open = async () => {
      const socket = net.connect(Number(port), hostname);
      socket.on('error', () => {});
      await new Promise((r) => socket.once('connect', r));
      return socket;
    };
    const held = [await open(), await open()];
    const third = await open();
    const closed = await new Promise<boolean>((resolve) => {
      third.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 2000);
    });
    assert.ok(closed, 'the third connection is dropped at once');
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));

    // Three requests on one connection: the second answer says the connection closes, the third is not served.
    const { received } = await trickle(base, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3), '', 1000, {
      closeAfterMs: 1000,
    });
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 3, received);
    assert.match(answers[0]!, /^HTTP\/1\.1 200 /);
    assert.match(answers[1]!, /^HTTP\/1\.1 200 [\s\S]*\r\nconnection: close\r\n/i);
    assert.match(answers[2]!, /^HTTP\/1\.1 503 /);
    assert.doesNotMatch(answers[2]!, /"status":"up"/);
  });

  it('has sane defaults, and refuses a bad limit naming the variable', () => {
    const { http } = loadConfig({});
    assert.deepEqual(http, {
      requestTimeoutMs: 30_000,
      connectionTimeoutMs: 600_000,
      maxConnections: 1000,
      maxRequestsPerSocket: 1000,
    });
    for (const [name, value] of [
      ['REQUEST_TIMEOUT_MS', '0'],
      ['CONNECTION_TIMEOUT_MS', 'soon'],
      ['MAX_CONNECTIONS', '0'],
      ['MAX_REQUESTS_PER_SOCKET', '-1'],
    ] as const) {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (err: unknown) => err instanceof ConfigError && err.variable === name,
      );
    }
  });
});
