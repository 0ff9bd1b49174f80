// F8: the answers the router and Node's parser used to write themselves. A token over 512 characters (T04–T06) or
// with a bad escape (T11) now gets the token routes' own 404 page, and every such answer carries the security
// headers; none quotes the URL back.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { assertRefusedCleanly, buildSecurityWorld } from './security-world.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `head` (and `body`) as written, on a connection of its own, and reads the one answer. */
function raw(base: string, head: string, body = ''): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(`${head}\r\n\r\n${body}`));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [top = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = top.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

const request = (method: string, path: string, extra: string[] = []) =>
  [`${method} ${path} HTTP/1.1`, 'Host: papers.example.org', 'Connection: close', ...extra].join('\r\n');

/** What a client can compare between two answers: everything but the clock and the request id. */
function comparable(answer: RawAnswer) {
  const { date: _date, ...headers } = answer.headers;
  return { status: answer.status, headers, body: answer.body };
}

const SECURITY_HEADERS = ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options'];

describe('F8: router-level errors', () => {
  it('answers a tampered token of any length, or with a bad escape, with the same 404 page as any bad token', async () => {
    const world = await buildSecurityWorld();
    const base = await world.listen();
    const long = 'A'.repeat(10_000);
    const oneClick = ['Content-Type: application/x-www-form-urlencoded', 'Content-Length: 26'];
    const pairs: [string, string, string[], string][] = [
      ['GET', 'preferences', [], ''],
      ['GET', 'confirm', [], ''],
      ['GET', 'unsubscribe', [], ''],
      ['POST', 'unsubscribe', oneClick, 'List-Unsubscribe=One-Click'],
      ['GET', 'api/preferences', [], ''],
    ];
    await assertRefusedCleanly(world, async () => {
      for (const [method, route, extra, body] of pairs) {
        const expected = comparable(await raw(base, request(method, `/${route}/short`, extra), body));
        assert.equal(expected.status, 404);
        for (const token of [long, '%zz', `${world.reader.token}%C3`, '%']) {
          const answer = comparable(await raw(base, request(method, `/${route}/${token}`, extra), body));
          assert.deepEqual(answer, expected, `${method} /${route}/${token.slice(0, 20)}`);
        }
      }
    });
    const page = await raw(base, request('GET', `/preferences/${long}`));
    assert.match(page.body, /<h1>This link does not work<\/h1>/);
    for (const name of SECURITY_HEADERS) assert.ok(page.headers[name], `${name} is set`);
    assert.equal(page.headers['cache-control'], 'no-store');
  });

  it('gives every other router-level refusal the security headers, without quoting the URL', async () => {
    const world = await buildSecurityWorld();
    const base = await world.listen();
    const answers = await assertRefusedCleanly(world, async () => ({
      badEscape: await raw(base, request('GET', '/digests/%zz')),
      unknown: await raw(base, request('GET', '/no%zzwhere')),
      notAPath: await raw(base, request('GET', 'ftp://evil.test/zz')),
      headersTooLarge: await raw(base, request('GET', '/healthz', [`X-Big: ${'b'.repeat(20_000)}`])),
      notHttp: await raw(base, 'HELLO\r\n'),
    }));
    assert.equal(answers.badEscape.status, 400);
    assert.match(JSON.parse(answers.badEscape.body).message, /^params\/date must match pattern/);
    assert.equal(answers.unknown.status, 404);
    assert.equal(answers.notAPath.status, 400);
    assert.deepEqual(JSON.parse(answers.notAPath.body), {
      error: 'PAPERMAIL_ERR_BAD_REQUEST',
      message: 'This address is not a valid URL.',
    });
    assert.equal(answers.headersTooLarge.status, 431);
    assert.deepEqual(JSON.parse(answers.headersTooLarge.body), {
      error: 'PAPERMAIL_ERR_HEADERS_TOO_LARGE',
      message: 'The request headers are too large.',
    });
    assert.equal(answers.notHttp.status, 400);
    assert.equal(JSON.parse(answers.notHttp.body).error, 'PAPERMAIL_ERR_BAD_REQUEST');
    for (const [name, answer] of Object.entries(answers)) {
      for (const header of SECURITY_HEADERS) assert.ok(answer.headers[header], `${name}: ${header} is set`);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff', name);
      assert.ok(!answer.body.includes('zz'), `${name} does not quote the URL`);
    }
  });
});
