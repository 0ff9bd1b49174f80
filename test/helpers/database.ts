// A database of its own for each test file: a clone of the migrated template, dropped when the file is done.
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { createPrismaClient, type PrismaClient } from '../../src/db/client.js';
import { adminQuery, ensureTemplate, resolveTestServer, withDatabase } from './test-server.js';

export interface TestDatabase {
  url: string;
  name: string;
  prisma: PrismaClient;
}

async function serverAndTemplate(): Promise<{ serverUrl: string; template: string }> {
  const serverUrl = process.env.PAPERMAIL_TEST_SERVER_URL;
  const template = process.env.PAPERMAIL_TEST_TEMPLATE;
  if (serverUrl && template) return { serverUrl, template };
  // Run directly (node --import tsx --test file): set up here. Embedded servers started this way stop at exit.
  const server = await resolveTestServer();
  process.env.PAPERMAIL_TEST_SERVER_URL = server.url;
  process.env.PAPERMAIL_TEST_TEMPLATE = await ensureTemplate(server.url);
  return { serverUrl: server.url, template: process.env.PAPERMAIL_TEST_TEMPLATE };
}

/** Creates a fresh, migrated database; it is dropped after the test file (unless `keep`). */
export async function createTestDatabase(options: { keep?: boolean } = {}): Promise<TestDatabase> {
  const { serverUrl, template } = await serverAndTemplate();
  const name = `papermail_test_${randomBytes(6).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(serverUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (err) {
      // Two clones of one template at the same instant can collide ("being accessed by other users").
      if (attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = withDatabase(serverUrl, name);
  const prisma = createPrismaClient(url, 5);
  after(async () => {
    await prisma.$disconnect();
    if (!options.keep) await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  return { url, name, prisma };
}
