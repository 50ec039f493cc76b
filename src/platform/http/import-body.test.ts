import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../../jurisdictions/visibility.js';
import { buildTestApp } from '../../test-support/app.js';
import { signIn } from '../../test-support/auth.js';

// Each import is sent twice, to two fresh apps: once as Excel writes "CSV" on a Chinese Windows
// (GB18030 bytes, CRLF, quoted fields with commas and quotes, full-width digits and spaces in the
// numeric cells), once as its plain UTF-8 twin. What is stored must be the same.

const fullWidth = (text: string) =>
  text.replace(/[0-9.\-:]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
/** A numeric cell the way a Chinese keyboard in full-width mode types it, padded with 全角空格. */
const wide = (value: number | string) => `\u3000${fullWidth(String(value))}\u3000`;

const excel = (rows: string[]) => iconv.encode(rows.join('\r\n') + '\r\n', 'gb18030');
const twin = (rows: string[]) => Buffer.from(rows.join('\n'), 'utf8');

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function importInto(url: string, body: Buffer, contentType = 'text/csv') {
  const app = await buildTestApp();
  apps.push(app);
  const admin = await signIn(app, { role: 'admin', scope: null });
  const response = await app.inject({
    method: 'POST',
    url,
    headers: { ...admin, 'content-type': contentType },
    payload: body,
  });
  expect(response.statusCode).toBe(200);
  return { app, admin, report: response.json<Record<string, unknown>>() };
}

const withoutTimes = (items: Record<string, unknown>[]) =>
  items.map(({ createdAt: _c, updatedAt: _u, ...rest }) => rest);

async function listed(app: FastifyInstance, headers: Record<string, string>, url: string) {
  const response = await app.inject({ method: 'GET', url, headers });
  return withoutTimes(response.json<{ items: Record<string, unknown>[] }>().items);
}

// 解放碑 (渝中区) and 北碚区.
const J = { lon: 106.5775, lat: 29.5576 };
const B = { lon: 106.43, lat: 29.83 };

describe('GB18030 sensor import', () => {
  const rows = (n: (v: number) => string) => [
    'id,type,lon,lat,department,meta.site',
    `GB-S-1,tunnel_water_depth,${n(J.lon)},${n(J.lat)},重庆城投,"两江隧道,""北""口"`,
    `GB-S-2,road_waterlogging_depth,${n(B.lon)},${n(B.lat)},,天生`,
    `GB-S-3,road_waterlogging_depth,${n(116.397)},${n(39.909)},,北京`,
  ];

  it('imports the same sensors as its UTF-8 twin', async () => {
    const plain = await importInto('/api/v1/sensors/import', twin(rows(String)));
    const gb = await importInto('/api/v1/sensors/import', excel(rows(wide)));
    expect(plain.report).toMatchObject({ imported: 2, rejected: [{ row: 3, code: 'OUTSIDE_JURISDICTION' }] });
    expect(gb.report).toEqual(plain.report);
    const expected = await listed(plain.app, plain.admin, '/api/v1/sensors');
    expect(expected.map((s) => s.id)).toEqual(['GB-S-1', 'GB-S-2']);
    expect(expected[0]).toMatchObject({ ...J, metadata: { site: '两江隧道,"北"口' } });
    expect(await listed(gb.app, gb.admin, '/api/v1/sensors')).toEqual(expected);
  });

  it('follows a declared charset, refuses GB18030 declared as UTF-8 and an unknown charset', async () => {
    const app = await buildTestApp();
    apps.push(app);
    const admin = await signIn(app, { role: 'admin', scope: null });
    const send = (url: string, contentType: string) =>
      app.inject({
        method: 'POST',
        url,
        headers: { ...admin, 'content-type': contentType },
        payload: excel(rows(wide)),
      });
    const declared = await send('/api/v1/sensors/import?dryRun=true', 'text/csv; charset=GBK');
    expect(declared.json()).toMatchObject({ imported: 2 });
    const utf8 = await send('/api/v1/sensors/import?charset=utf-8', 'text/csv');
    expect(utf8.statusCode).toBe(422);
    expect(utf8.json()).toMatchObject({ error: { code: 'INVALID_IMPORT_FILE' } });
    const big5 = await send('/api/v1/sensors/import', 'text/csv; charset=big5');
    expect(big5.statusCode).toBe(415);
  });
});

describe('GB18030 camera import', () => {
  const rows = (n: (v: number) => string) => [
    'id,name,lon,lat,department,meta.model',
    `GB-C-1,"天生路口,""东""侧",${n(B.lon)},${n(B.lat)},北碚区城管局,DS-2CD`,
    `GB-C-2,解放碑,${n(J.lon)},${n(J.lat)},,`,
    `GB-C-3,坏,${n(106.5)},abc,,`,
  ];

  it('imports the same cameras as its UTF-8 twin', async () => {
    const plain = await importInto('/api/v1/cameras/import', twin(rows(String)));
    const gb = await importInto('/api/v1/cameras/import', excel(rows(wide)));
    expect(plain.report).toMatchObject({ imported: 2, rejected: [{ row: 3, code: 'INVALID_CAMERA' }] });
    expect(gb.report).toEqual(plain.report);
    const expected = await listed(plain.app, plain.admin, '/api/v1/cameras');
    expect(expected.find((c) => c.id === 'GB-C-1')).toMatchObject({ name: '天生路口,"东"侧', ...B });
    expect(await listed(gb.app, gb.admin, '/api/v1/cameras')).toEqual(expected);
  });
});

describe('GB18030 12345 hotline import', () => {
  const rows = (n: (v: number | string) => string) => [
    '工单编号,事件类别,经度,纬度,地址,诉求内容,来电时间,来电人,紧急程度',
    `H-GB-1,garbage_overflow,${n(B.lon)},${n(B.lat)},"天生路12号,""老街""口",垃圾桶满了,${n('2026-11-25 08:00')},张先生,`,
    `H-GB-2,noise_nuisance,${n(J.lon)},${n(J.lat)},,"夜间施工
噪音",${n('2026-11-25 22:30:15')},,low`,
    `H-GB-3,noise_nuisance,${n(116.4)},${n(39.9)},,北京,${n('2026-11-25 08:12')},,`,
  ];

  it('opens the same cases as its UTF-8 twin', async () => {
    const plain = await importInto('/api/v1/intake/hotline', twin(rows(String)));
    const gb = await importInto('/api/v1/intake/hotline', excel(rows(wide)));
    expect(plain.report).toMatchObject({ opened: 2, rejected: [{ row: 3, code: 'OUTSIDE_JURISDICTION' }] });
    // Lines differ only by how the multi-line description ends (CRLF), never by record.
    expect(gb.report).toEqual(plain.report);
    const cases = async (app: FastifyInstance) =>
      Promise.all(
        ['H-GB-1', 'H-GB-2'].map(async (recordNo) => {
          const stored = await app.storage.repositories.intake.hotline(recordNo);
          const { record } = await app.services.cases.getCase(stored!.caseId, EVERYTHING);
          const { category, lon, lat, address, description, reportedAt, reporter, priority } = record;
          return { category, lon, lat, address, description, reportedAt, reporter, priority };
        }),
      );
    const expected = await cases(plain.app);
    expect(expected[0]).toMatchObject({
      address: '天生路12号,"老街"口',
      reportedAt: Date.parse('2026-11-25T00:00:00Z'),
      ...B,
    });
    const received = await cases(gb.app);
    // Excel ends the line inside the quoted description with CRLF; the text is otherwise the same.
    expect(received.map((c) => ({ ...c, description: c.description.replace(/\r\n/g, '\n') }))).toEqual(
      expected,
    );
  });
});
