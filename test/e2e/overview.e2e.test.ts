import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../src/test-support/app.js';
import { ARTIFACTS, launchBrowser } from './browser.js';

let app: FastifyInstance;
let browser: Browser;
let cleanup: () => Promise<void>;
let base: string;

beforeAll(async () => {
  app = await buildTestApp();
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  ({ browser, cleanup } = await launchBrowser());
});
afterAll(async () => {
  await cleanup?.();
  await app?.close();
});

describe('overview map', () => {
  it('draws the 38 districts of Chongqing and drills into one', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(base + '/');
    await page.waitForSelector('svg path.unit');
    expect(await page.locator('svg path.unit').count()).toBe(38);
    await expect.poll(() => page.locator('.scope h2').textContent()).toContain('重庆市');
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-city.png') });

    await page.locator('svg path.unit', { has: page.locator('title', { hasText: '北碚区' }) }).click();
    await expect.poll(() => page.url()).toContain('scope=500109');
    await expect.poll(() => page.locator('.scope h2').textContent()).toContain('北碚区');
    await page.waitForSelector('svg path.unit.approximate');
    expect(await page.locator('.badge').textContent()).toContain('近似');
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-beibei.png') });
    await page.close();
  });

  it('opens a district directly from the URL and switches to English', async () => {
    const page = await browser.newPage();
    await page.goto(base + '/?scope=500103');
    await expect.poll(() => page.locator('.scope h2').textContent()).toContain('渝中区');
    await page.getByRole('button', { name: 'English' }).click();
    await expect
      .poll(() => page.locator('header h1 small').textContent())
      .toBe('City Operations & Governance Center');
    await page.close();
  });
});
