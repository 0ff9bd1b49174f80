// Who may do what on the dashboard, through real HTTP requests against the real app and database: no session, no
// page; the session cookie and its attributes; the wrong-password throttle; CSRF on every POST; viewers; the audit
// log naming the admin; a removed account signed out at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { addReader } from '../admin/admin-helpers.js';
import { buildTestApp } from '../helpers/app.js';
import {
  addAccount,
  cookieHeader,
  cookiesOf,
  csrfOf,
  PASSWORD,
  postSignIn,
  sessionCsrf,
  signIn,
} from './dashboard-helpers.js';

const DAY = '2026-07-31';

describe('dashboard access', () => {
  it('sends every page and every POST to the sign-in without a session, and changes nothing', async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    const id = await addReader(db.prisma, { email: 'ada@example.org' });
    const pages = [
      '/admin',
      '/admin/runs',
      `/admin/days/${DAY}`,
      `/admin/days/${DAY}/preview?email=ada@example.org`,
      '/admin/readers',
      `/admin/readers/${id}`,
      `/admin/readers/${id}/erase`,
      '/admin/topics',
      '/admin/topics/agents',
      '/admin/topics/agents/retire',
      '/admin/csv',
      '/admin/csv/readers.csv',
      '/admin/audit',
    ];
    for (const url of pages) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, `/admin/login?next=${encodeURIComponent(url)}`, url);
    }
    const posts = [
      '/admin/runs',
      `/admin/days/${DAY}/resend-failed`,
      `/admin/days/${DAY}/resend`,
      `/admin/readers/${id}/erase`,
      `/admin/readers/${id}/unsubscribe`,
      '/admin/topics/agents',
      '/admin/topics/agents/retire',
      '/admin/logout',
    ];
    for (const url of posts) {
      const res = await app.inject({ method: 'POST', url, payload: { date: DAY, email: 'ada@example.org' } });
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, '/admin/login', url);
    }
    const reader = await db.prisma.subscriber.findUniqueOrThrow({ where: { id } });
    assert.equal(reader.status, 'active');
    assert.equal(reader.erasedAt, null);
    assert.equal(await db.prisma.run.count(), 0);
    assert.equal(await db.prisma.auditEntry.count(), 0);
    assert.equal((await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'agents' } })).retiredAt, null);
  });

  it('signs in to an HttpOnly, SameSite=Lax, expiring session kept in Postgres, and signs out', async () => {
    const { app, db, services } = await buildTestApp();
    await addAccount(services, 'ops@example.org');

    const form = await app.inject({ url: '/admin/login' });
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<label for="email">Email<\/label>/);
    assert.match(form.body, /<label for="password">Password<\/label>/);
    assert.match(form.body, /<button type="submit">Sign in<\/button>/);

    const { res } = await postSignIn(app, 'OPS@example.org', PASSWORD);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/admin');
    const session = (res.cookies as { name: string; [k: string]: unknown }[]).find((c) => c.name === 'papermail_admin');
    assert.ok(session);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/admin');
    assert.equal(session.secure, undefined, 'http PUBLIC_URL: not Secure (the browser would never send it back)');
    const expires = new Date(session.expires as string).getTime();
    assert.ok(Math.abs(expires - (Date.now() + 12 * 3600_000)) < 60_000, 'the session expires 12 hours after sign-in');
    const rows = await db.prisma.adminSession.findMany();
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.idHash, String(session.value).split('.')[0], 'only a hash of the session id is stored');
    const cookie = cookieHeader(cookiesOf(res));

    const overview = await app.inject({ url: '/admin', headers: { cookie } });
    assert.equal(overview.statusCode, 200);
    assert.match(overview.body, /ops@example\.org <span class="role">\(admin\)<\/span>/);
    assert.equal(overview.headers['cache-control'], 'no-store');
    const audit = await db.prisma.auditEntry.findFirstOrThrow({ where: { action: 'admin.sign-in' } });
    assert.equal(audit.actor, 'dashboard ops@example.org');

    const out = await app.inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { cookie },
      payload: { csrf: csrfOf(overview.body) },
    });
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/admin/login');
    assert.equal(await db.prisma.adminSession.count(), 0, 'signing out deletes the session');
    const after = await app.inject({ url: '/admin', headers: { cookie } });
    assert.equal(after.statusCode, 303, 'the old cookie signs nobody in');

    // An expired session is nobody's, whatever the cookie says.
    const again = await signIn(app, 'ops@example.org');
    await db.prisma.adminSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    assert.equal((await app.inject({ url: '/admin', headers: { cookie: again } })).statusCode, 303);
  });

  it('marks the session cookie Secure when PUBLIC_URL is https', async () => {
    const { app, services } = await buildTestApp({ PUBLIC_URL: 'https://papers.example.org', TRUST_PROXY: 'on' });
    await addAccount(services, 'ops@example.org');
    const { res } = await postSignIn(app, 'ops@example.org', PASSWORD, { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(res.statusCode, 303, res.body);
    const session = (res.cookies as { name: string; secure?: boolean }[]).find((c) => c.name === 'papermail_admin');
    assert.equal(session?.secure, true);
  });

  it('answers 429 after a dozen wrong passwords, for the account and for the address', async () => {
    const { app, db, services } = await buildTestApp();
    await addAccount(services, 'ops@example.org');
    await addAccount(services, 'oncall@example.org');

    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { res } = await postSignIn(app, 'ops@example.org', `wrong password ${i}`);
      statuses.push(res.statusCode);
      if (res.statusCode === 401) assert.match(res.body, /The email or the password is wrong\./);
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429]);
    const locked = await postSignIn(app, 'ops@example.org', PASSWORD);
    assert.equal(locked.res.statusCode, 429, 'while locked, even the right password is refused');
    assert.match(locked.res.body, /Too many wrong passwords: sign-in is locked for 15 more minutes\./);
    assert.ok(Number(locked.res.headers['retry-after']) > 800);
    assert.doesNotMatch(locked.cookie, /papermail_admin/);

    // One address guessing at many accounts (these do not even exist) is stopped the same way.
    const from = { remoteAddress: '203.0.113.7' };
    const guesses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const form = await app.inject({ url: '/admin/login', ...from });
      const res = await app.inject({
        method: 'POST',
        url: '/admin/login',
        ...from,
        headers: { cookie: cookieHeader(cookiesOf(form)) },
        payload: { email: `guess${i}@example.org`, password: 'hunter2hunter2', csrf: csrfOf(form.body) },
      });
      guesses.push(res.statusCode);
    }
    assert.deepEqual(guesses, [...Array(10).fill(401), 429, 429]);
    // Another account from another address is not affected.
    const elsewhere = await postSignIn(app, 'oncall@example.org', PASSWORD, { remoteAddress: '198.51.100.9' });
    assert.equal(elsewhere.res.statusCode, 303);
    assert.equal(await db.prisma.adminSession.count(), 1);
  });

  it("refuses a POST without its CSRF value, or with another session's, with 403, and changes nothing", async () => {
    const { app, db, services } = await buildTestApp();
    await seedTopics(db.prisma);
    const id = await addReader(db.prisma, { email: 'ada@example.org' });
    await addAccount(services, 'ops@example.org');
    await addAccount(services, 'oncall@example.org');
    const cookie = await signIn(app, 'ops@example.org');
    const other = await signIn(app, 'oncall@example.org');
    const otherCsrf = await sessionCsrf(app, other);

    for (const payload of [{}, { csrf: '' }, { csrf: 'forged.value' }, { csrf: otherCsrf }]) {
      const res = await app.inject({ method: 'POST', url: `/admin/readers/${id}/pause`, headers: { cookie }, payload });
      assert.equal(res.statusCode, 403, JSON.stringify(payload));
      assert.match(res.body, /Reload the page and try again/);
    }
    // The sign-in form has its own: without it, 403 too.
    const bare = await app.inject({
      method: 'POST',
      url: '/admin/login',
      payload: { email: 'ops@example.org', password: PASSWORD },
    });
    assert.equal(bare.statusCode, 403);
    assert.equal((await db.prisma.subscriber.findUniqueOrThrow({ where: { id } })).status, 'active');
    assert.equal(await db.prisma.auditEntry.count({ where: { action: { startsWith: 'subscriber.' } } }), 0);

    // With it, the change happens, and the audit log names the admin.
    const csrf = await sessionCsrf(app, cookie, `/admin/readers/${id}/pause`);
    const ok = await app.inject({
      method: 'POST',
      url: `/admin/readers/${id}/pause`,
      headers: { cookie },
      payload: { csrf },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.match(ok.body, /Paused\./);
    assert.equal((await db.prisma.subscriber.findUniqueOrThrow({ where: { id } })).status, 'paused');
    const entry = await db.prisma.auditEntry.findFirstOrThrow({ where: { action: 'subscriber.pause' } });
    assert.equal(entry.actor, 'dashboard ops@example.org');
    assert.deepEqual(entry.params, { id });
  });

  it('lets a viewer see every page but refuses their POSTs; removing an account signs it out', async () => {
    const { app, db, services } = await buildTestApp();
    await seedTopics(db.prisma);
    const id = await addReader(db.prisma, { email: 'ada@example.org' });
    await addAccount(services, 'watcher@example.org', 'viewer');
    const cookie = await signIn(app, 'watcher@example.org');

    for (const url of [
      '/admin',
      '/admin/runs',
      '/admin/readers',
      `/admin/readers/${id}`,
      '/admin/topics/agents',
      '/admin/csv',
      '/admin/audit',
    ]) {
      const res = await app.inject({ url, headers: { cookie } });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /You are a viewer/);
    }
    const readerPage = await app.inject({ url: `/admin/readers/${id}`, headers: { cookie } });
    assert.doesNotMatch(readerPage.body, /Erase…|Pause…/, 'no buttons that change things');
    const csrf = csrfOf(readerPage.body);
    for (const url of [
      `/admin/readers/${id}/erase`,
      `/admin/readers/${id}/pause`,
      '/admin/topics/agents/retire',
      '/admin/runs',
    ]) {
      const res = await app.inject({ method: 'POST', url, headers: { cookie }, payload: { csrf, date: DAY } });
      assert.equal(res.statusCode, 403, url);
      assert.match(res.body, /viewers can look at everything but change nothing/);
    }
    const reader = await db.prisma.subscriber.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([reader.status, reader.erasedAt], ['active', null]);
    assert.equal((await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'agents' } })).retiredAt, null);
    assert.equal(await db.prisma.run.count(), 0);

    await services.admin.accounts.remove('test', 'watcher@example.org');
    assert.equal((await app.inject({ url: '/admin', headers: { cookie } })).statusCode, 303);
    assert.equal(await db.prisma.adminSession.count(), 0);
  });
});
