import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../src/test-support/app.js';
import { ARTIFACTS, launchBrowser } from './browser.js';

let app: FastifyInstance;
let browser: Browser;
let cleanup: () => Promise<void>;
let base: string;

beforeAll(async () => {
  app = await buildTestApp(undefined, { CITYOPS_DEMO: 'on' });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  ({ browser, cleanup } = await launchBrowser());
});
afterAll(async () => {
  await cleanup?.();
  await app?.close();
});

/** Signs in from the sign-in page by clicking a demo account. */
async function signInAs(page: Page, label: string): Promise<void> {
  await page.goto(base + '/');
  await page.getByRole('button', { name: label }).click();
  await page.locator('.signin form button[type=submit]').click();
  await page.waitForSelector('svg path.unit');
}

describe('sign-in and the overview map', () => {
  it('the city commander sees the 38 districts of Chongqing and drills into one', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(base + '/');
    await page.waitForSelector('.demo-users li');
    await page.screenshot({ path: path.join(ARTIFACTS, 'sign-in.png') });
    await signInAs(page, '重庆市 市级指挥长');
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

  it('the 北碚区 commander lands on 北碚区 and cannot open 渝中区', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signInAs(page, '北碚区 区县指挥长');
    await expect.poll(() => page.locator('.scope h2').textContent()).toContain('北碚区');
    const towns = await page.locator('svg path.unit title').allTextContents();
    expect(towns.length).toBeGreaterThan(10);
    expect(towns.every((name) => / 500109\d{3}$/.test(name))).toBe(true);
    await page.goto(base + '/?scope=500103');
    await expect
      .poll(() => page.locator('.error').textContent())
      .toContain('No jurisdiction has the code "500103"');
    expect(await page.locator('svg path.unit').count()).toBe(0);
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForSelector('.signin form');
    await page.close();
  });

  it('switches to English', async () => {
    const page = await browser.newPage();
    await signInAs(page, '渝中区 区县指挥长');
    await page.getByRole('button', { name: 'English' }).click();
    await expect
      .poll(() => page.locator('header h1 small').textContent())
      .toBe('City Operations & Governance Center');
    await page.close();
  });
});
