import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING, subtreeVisibility } from '../../src/jurisdictions/visibility.js';
import { buildTestApp } from '../../src/test-support/app.js';
import { ARTIFACTS, launchBrowser } from './browser.js';

// A county commander's day on the real server in Chromium: the overview shows 北碚区 only (the
// live feed is filtered on the server), and a citizen's report is taken from 立案 through 派遣,
// the water department's 处置, 核查 and 结案 in the workbench.

const BEIBEI = { lon: 106.45, lat: 29.8 };
const YUZHONG = { lon: 106.5775, lat: 29.5576 };

let app: FastifyInstance;
let browser: Browser;
let cleanup: () => Promise<void>;
let base: string;
let reports = 0;

beforeAll(async () => {
  app = await buildTestApp(undefined, { CITYOPS_DEMO: 'on' });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  ({ browser, cleanup } = await launchBrowser());
});
afterAll(async () => {
  await cleanup?.();
  await app?.close();
});

/** A citizen's report (Open311 waits for 立案) or an operator's (registered and dispatched at once). */
async function report(at: { lon: number; lat: number }, source: 'open311' | 'operator', description: string) {
  const outcome = await app.services.cases.report(
    {
      source,
      sourceRef: `e2e-${++reports}`,
      category: 'road_waterlogging',
      lon: at.lon + reports * 0.004,
      lat: at.lat,
      description,
      reportedAt: Date.now(),
      raw: { description },
    },
    EVERYTHING,
  );
  return outcome.caseId;
}

/** One attribute of every element a locator matches (the suite type-checks without the DOM lib). */
async function attrs(locator: Locator, name: string): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0, n = await locator.count(); i < n; i++) out.push(await locator.nth(i).getAttribute(name));
  return out;
}

/** Signs in from the sign-in page with a demo account's button. */
async function signInAs(page: Page, label: string): Promise<void> {
  await page.goto(base + '/');
  await page.getByRole('button', { name: label }).click();
  await page.locator('.signin form button[type=submit]').click();
  await page.waitForSelector('.live-status.live');
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: '退出' }).click();
  await page.waitForSelector('.signin form');
}

/** Clicks an action button on the case page and, when it asks for details, confirms the form. */
async function act(page: Page, action: string, status: string, note?: string): Promise<void> {
  await page.locator(`.actions button[data-action=${action}]`).click();
  if (await page.locator('.action-form').isVisible()) {
    if (note) await page.locator('.action-form textarea[name=note]').fill(note);
    await page.locator('.action-form button[type=submit]').click();
  }
  await expect.poll(() => page.locator('.case-head .status').getAttribute('data-status')).toBe(status);
}

describe('the county commander’s overview and workbench', () => {
  it('shows only 北碚区, live, and interactive quickly', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await signInAs(page, '北碚区 区县指挥长');
    // Time to interactive of the overview, signed in: a reload until the map and figures are there.
    const started = Date.now();
    await page.reload();
    await page.waitForSelector('svg path.unit');
    await page.waitForSelector('.figure[data-figure=openCases] .value');
    const interactive = Date.now() - started;
    console.log(`overview interactive in ${interactive} ms`);
    expect(interactive).toBeLessThan(1500);

    const towns = await attrs(page.locator('svg path.unit'), 'data-code');
    expect(towns.length).toBeGreaterThan(10);
    expect(towns.every((code) => code !== null && code.startsWith('500109'))).toBe(true);
    await expect.poll(() => page.locator('.scope h2').textContent()).toContain('北碚区');

    // Live, filtered on the server: a case in 渝中区 never reaches this page, one in 北碚区 does.
    await page.waitForSelector('.live-status.live');
    await report(YUZHONG, 'operator', '渝中区 解放碑 积水');
    await report(BEIBEI, 'operator', '北碚区 下穿道积水');
    await expect
      .poll(() => page.locator('.ticker li').allTextContents(), { timeout: 5000 })
      .toEqual(expect.arrayContaining([expect.stringContaining('北碚区')]));
    const ticker = await page.locator('.ticker li').allTextContents();
    expect(ticker.some((line) => line.includes('渝中区'))).toBe(false);
    await expect
      .poll(() => page.locator('.figure[data-figure=reportedToday] .value').textContent())
      .not.toBe('0');
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-county.png') });
    await page.close();
  });

  it('takes a citizen’s report through 立案, 派遣, 处置, 核查 and 结案 from the workbench', async () => {
    const id = await report(BEIBEI, 'open311', '市民反映：下穿道路积水约20厘米');
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });

    await signInAs(page, '北碚区 区县指挥长');
    await page.getByRole('link', { name: '案件工作台' }).click();
    await page.locator(`table.queue a`, { hasText: id }).click();
    await page.waitForSelector('.case-detail');
    expect(await attrs(page.locator('.actions button'), 'data-action')).toContain('register');
    await act(page, 'register', 'registered');
    await act(page, 'dispatch', 'dispatched');
    await expect.poll(() => page.locator('.facts').textContent()).toContain('水务局');
    await signOut(page);

    await signInAs(page, '北碚区 水务部门处置员');
    await page.getByRole('link', { name: '案件工作台' }).click();
    await page.locator(`table.queue a`, { hasText: id }).click();
    await page.waitForSelector('.case-detail');
    const handlerActions = await attrs(page.locator('.actions button'), 'data-action');
    expect(handlerActions).toContain('accept');
    expect(handlerActions).not.toContain('close');
    await act(page, 'accept', 'in_progress');
    await act(page, 'handle', 'handled', '已疏通排水口，积水已退');
    await signOut(page);

    await signInAs(page, '北碚区 区县指挥长');
    await page.goto(`${base}/cases/${id}`);
    await page.waitForSelector('.case-detail');
    await act(page, 'verify_pass', 'verified');
    await act(page, 'close', 'closed');
    const trail = await attrs(page.locator('.audit tbody tr'), 'data-action');
    expect(trail).toEqual(['report', 'register', 'dispatch', 'accept', 'handle', 'verify_pass', 'close']);
    expect(await page.locator('.stepper li.done').count()).toBe(6);
    await page.screenshot({ path: path.join(ARTIFACTS, 'case-closed.png'), fullPage: true });
    await page.close();
  });

  it('locates (定位) a citizen’s report that named a place but gave no point', async () => {
    // As Open311 files `address_string` alone: no point, the case sits in the key's scope (北碚区).
    const outcome = await app.services.cases.report(
      {
        source: 'open311',
        sourceRef: `e2e-${++reports}`,
        category: 'road_waterlogging',
        lon: null,
        lat: null,
        address: '北碚区 歇马街道 卢作孚路口',
        description: '市民反映：路口积水，未给出位置',
        reportedAt: Date.now(),
        raw: {},
      },
      subtreeVisibility('500109', app.services.jurisdictions.units),
    );
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await signInAs(page, '北碚区 区县指挥长');
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/cases/${outcome.caseId}`);
    await page.waitForSelector('.case-detail');
    await expect.poll(() => page.locator('.case-head').textContent()).toContain('待定位');
    await page.locator('.actions button[data-action=locate]').click();
    // A point that is not one is refused in the form, before anything is sent.
    await page.locator('.action-form input[name=lon]').fill('东经106');
    await page.locator('.action-form input[name=lat]').fill('29.8');
    await page.locator('.action-form button[type=submit]').click();
    await expect.poll(() => page.locator('.actions .error').textContent()).toContain('经纬度');
    await page.locator('.action-form input[name=lon]').fill(String(BEIBEI.lon));
    await page.screenshot({ path: path.join(ARTIFACTS, 'case-locate.png'), fullPage: true });
    await page.locator('.action-form button[type=submit]').click();
    await expect.poll(() => page.locator('.case-head').textContent()).not.toContain('待定位');
    const trail = await attrs(page.locator('.audit tbody tr'), 'data-action');
    expect(trail).toContain('locate');
    const stored = await app.services.cases.getCase(outcome.caseId, EVERYTHING);
    expect(stored.record).toMatchObject({ lon: BEIBEI.lon, lat: 29.8 });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('splits reports that turned out to be another problem off into a new case', async () => {
    // Three camera reports of street vending a few metres apart: one case with three occurrences.
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const outcome = await app.services.cases.report(
        {
          source: 'camera',
          sourceRef: `e2e-split-${i}`,
          category: 'street_vending',
          lon: BEIBEI.lon + 0.03 + i * 0.0001,
          lat: BEIBEI.lat,
          description: `占道经营 摄像头识别 ${i + 1}`,
          reportedAt: Date.now() - (3 - i) * 60_000,
          raw: { i },
        },
        EVERYTHING,
      );
      ids.add(outcome.caseId);
    }
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await signInAs(page, '北碚区 区县指挥长');
    await page.goto(`${base}/cases/${id}`);
    await page.waitForSelector('.case-detail');
    await page.locator('.actions button[data-action=split]').click();
    const boxes = page.locator('.action-form .split-pick input[type=checkbox]');
    expect(await boxes.count()).toBe(3);
    // All three picked: refused on the page, before anything is sent.
    for (let i = 0; i < 3; i++) await boxes.nth(i).check();
    await page.locator('.action-form textarea[name=note]').fill('第三条为另一处占道');
    await page.locator('.action-form button[type=submit]').click();
    await expect.poll(() => page.locator('.actions .error').textContent()).toContain('不是全部');
    await boxes.nth(0).uncheck();
    await boxes.nth(1).uncheck();
    await page.screenshot({ path: path.join(ARTIFACTS, 'case-split.png'), fullPage: true });
    await page.locator('.action-form button[type=submit]').click();
    await expect.poll(() => page.locator('.occurrences tbody tr').count()).toBe(2);
    const trail = await attrs(page.locator('.audit tbody tr'), 'data-action');
    expect(trail.at(-1)).toBe('split');
    const after = await app.services.cases.getCase(id!, EVERYTHING);
    expect(after.occurrences).toHaveLength(2);
    await page.close();
  });

  it('acknowledges and clears an alarm from the alarm list', async () => {
    const sensor = await app.services.sensors.create({
      id: 'e2e-gas-1',
      type: 'gas_concentration',
      ...BEIBEI,
    });
    await app.services.ingest.ingest([{ sensor: sensor.id, ts: Date.now(), value: 70 }], EVERYTHING);
    await app.services.bus.drain();
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await signInAs(page, '北碚区 区县指挥长');
    await page.getByRole('link', { name: '告警' }).click();
    const row = page.locator('table.alarms tbody tr', { hasText: 'e2e-gas-1' }).first();
    await row.locator('button[data-action=ack]').click();
    await expect.poll(() => row.textContent()).toContain('已确认');
    await row.locator('button[data-action=clear]').click();
    await expect.poll(() => page.locator('table.alarms tbody tr', { hasText: 'e2e-gas-1' }).count()).toBe(0);

    // The sensor page draws its series with the alarm period overlaid.
    await page.goto(`${base}/sensors/e2e-gas-1`);
    await page.waitForSelector('.series-chart canvas');
    // The chart really drew (ECharts 6): its canvas has a good share of painted pixels, not a blank box.
    // A string body: the server's tsconfig has no DOM types, and this runs in the page.
    const paintedPixels = `(() => {
      const canvas = document.querySelector('.series-chart canvas');
      const context = canvas && canvas.width > 0 ? canvas.getContext('2d') : null;
      if (!context) return 0;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
      return painted;
    })()`;
    await expect.poll(() => page.evaluate<number>(paintedPixels)).toBeGreaterThan(500);
    await page.screenshot({ path: path.join(ARTIFACTS, 'sensor-chart.png') });
    expect(await page.locator('.sensor-page table.alarms tbody tr').count()).toBeGreaterThanOrEqual(1);
    await page.close();
  });

  it('keeps the initial JavaScript under 1 MB gzipped', () => {
    const dist = path.resolve('web/dist');
    const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map(
      (m) => m[1]!,
    );
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce(
      (n, s) => n + zlib.gzipSync(fs.readFileSync(path.join(dist, s))).length,
      0,
    );
    console.log(`initial JS: ${(gzipped / 1024).toFixed(0)} KiB gzipped`);
    expect(gzipped).toBeLessThan(1024 * 1024);
  });
});
