/**
 * Takes the README's screenshots from a running cityops (started as a user would, with
 * CITYOPS_DEMO=on), after giving it a small live city through the public API:
 *
 *   CITYOPS_DEMO=on npm start          # elsewhere; then an administrator for the seeding:
 *   npx cityops user add --username ops-admin --role admin --password admin-pass-2026
 *   npx tsx test/e2e/screenshots.ts http://127.0.0.1:8080 ops-admin admin-pass-2026
 *
 * Writes docs/screenshots/overview.png, workbench.png (the queue) and case.png (one case) (Debian's Chromium via
 * playwright-core, headless, no network, a fresh profile).
 */
import path from 'node:path';
import fs from 'node:fs';
import { CityClient, pointsIn, random, seedCity } from './city.js';
import { launchBrowser } from './browser.js';

const [base = 'http://127.0.0.1:8080', username = 'ops-admin', password = 'admin-pass-2026'] =
  process.argv.slice(2);
const seconds = Number(process.env.FEED_SECONDS ?? 150);
const out = path.resolve('docs/screenshots');
fs.mkdirSync(out, { recursive: true });

const city = new CityClient(base);
const admin = await city.signIn(username, password);
const seeded = await seedCity(city, admin, 2);
console.log(`sensors: ${seeded.sensors.length}`);

// Cases through the operators' entry, spread over the districts, a few taken along the flow.
const rand = random(11);
const counties = await city.call<{ features: Parameters<typeof pointsIn>[0][] }>(
  'GET',
  '/api/v1/jurisdictions/geojson?level=county&parent=50',
  undefined,
  admin,
);
const categories = [
  'street_vending',
  'illegal_parking',
  'exposed_garbage',
  'road_damage',
  'garbage_overflow',
  'road_waterlogging',
];
const ids: string[] = [];
for (let i = 0; i < Number(process.env.SEED_CASES ?? 70); i++) {
  const feature = counties.features[Math.floor(rand() * rand() * counties.features.length)]!;
  const [point] = pointsIn(feature, 1, rand);
  if (!point) continue;
  const c = await city
    .call<{ id: string }>(
      'POST',
      '/api/v1/cases',
      {
        category: categories[i % categories.length],
        lon: point[0],
        lat: point[1],
        description: [
          '沿街占道摆摊',
          '机动车违停占用人行道',
          '路边垃圾堆放未清运',
          '人行道地砖破损',
          '垃圾桶满溢',
          '下穿道路段积水',
        ][i % 6],
      },
      admin,
    )
    .catch(() => null);
  if (c) ids.push(c.id);
}
const steps = [
  ['accept'],
  ['accept', 'handle'],
  ['accept', 'handle', 'verify_pass'],
  ['accept', 'handle', 'verify_pass', 'close'],
];
for (const [i, id] of ids.entries()) {
  for (const action of steps[i % 5] ?? []) {
    await city.call('POST', `/api/v1/cases/${id}/transitions`, { action }, admin).catch(() => undefined);
  }
}
console.log(`cases: ${ids.length}`);

// Live readings every 5 s, during the screenshots too; now and then an incident that the default
// rules turn into alarms.
await seeded.feed(Date.now(), 6);
const feeder = setInterval(
  () => void seeded.feed(Date.now(), Math.random() < 0.4 ? 1 : 0).catch(() => undefined),
  5000,
);
await new Promise((r) => setTimeout(r, seconds * 1000));

const { browser, cleanup } = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(base + '/');
  await page.getByRole('button', { name: '重庆市 市级指挥长' }).click();
  await page.locator('.signin form button[type=submit]').click();
  await page.waitForSelector('svg path.unit');
  await page.waitForSelector('.live-status.live');
  await page.waitForTimeout(6000);
  await page.screenshot({ path: path.join(out, 'overview.png') });

  await page.goto(base + '/workbench');
  await page.getByRole('tab', { name: '全部在办' }).click();
  await page.waitForSelector('table.queue tbody tr');
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(out, 'workbench.png') });
  await page.locator('table.queue tbody tr').first().click();
  await page.waitForSelector('.case-detail .audit tbody tr');
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(out, 'case.png') });
  console.log(`screenshots in ${out}`);
} finally {
  clearInterval(feeder);
  await cleanup();
}
