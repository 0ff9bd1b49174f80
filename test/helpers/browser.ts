// Real headless Chromium (Debian's package) driven by playwright-core. Screenshots go to test-results/screenshots.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { projectRoot } from '../../src/db/migrate.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotsDir = path.join(projectRoot, 'test-results/screenshots');

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  after(() => browser.close());
  mkdirSync(screenshotsDir, { recursive: true });
  return browser;
}

export function screenshotPath(name: string): string {
  return path.join(screenshotsDir, `${name}.png`);
}
