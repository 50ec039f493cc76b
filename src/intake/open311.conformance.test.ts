import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { buildTestApp } from '../test-support/app.js';

// The GeoReport v2 conformance walk (issue 14 §1): each point on the JSON and the XML form.
// 解放碑, 渝中区; a second point 3 m away is the same place for de-duplication.
// Each format reports at its own place, so the two runs do not de-duplicate onto each other.
const PLACES = {
  json: { here: { lat: '29.5576', long: '106.5775' }, same: { lat: '29.55762', long: '106.57752' } },
  xml: { here: { lat: '29.5536', long: '106.5715' }, same: { lat: '29.55362', long: '106.57152' } },
};
const HERE = PLACES.json.here;
const PRIVATE = '派给班组3 张师傅 13800000000 (internal dispatch)';
const PUBLIC = '已派专人处理 a crew is on its way';
const FORMATS = ['json', 'xml'] as const;
type Format = (typeof FORMATS)[number];

let app: FastifyInstance;
let apiKey: string;
const command = { kind: 'command' as const, name: 'operator', department: null };

beforeAll(async () => {
  app = await buildTestApp(undefined, {
    CITYOPS_PUBLIC_URL: 'https://12345.cq.example.gov.cn/',
    CITYOPS_OPEN311_CONTACT: '重庆12345 contact@example.gov.cn',
    CITYOPS_OPEN311_JURISDICTIONS: 'cq.gov.cn,500000',
    CITYOPS_RATE_LIMIT_OPEN311: '40',
  });
  apiKey = (await app.services.access.createKey({ kind: 'open311', label: 'app', scope: null })).key;
});
afterAll(async () => app.close());

const J = 'jurisdiction_id=cq.gov.cn';
const get = (url: string) => app.inject({ method: 'GET', url: `/open311/v2/${url}` });
const post = (path: string, fields: Record<string, string>, key = apiKey, ip = '127.0.0.1') =>
  app.inject({
    method: 'POST',
    url: `/open311/v2/${path}`,
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      jurisdiction_id: 'cq.gov.cn',
      ...(key ? { api_key: key } : {}),
      ...fields,
    }).toString(),
  });

/** Request ids of a GET requests answer, in either format. */
function ids(response: LightMyRequestResponse, format: Format): string[] {
  if (format === 'json') {
    return response.json<{ service_request_id: string }[]>().map((r) => r.service_request_id);
  }
  return [...response.body.matchAll(/<service_request_id>(\d+)<\/service_request_id>/g)].map((m) => m[1]!);
}

function errorCode(response: LightMyRequestResponse, format: Format): number {
  if (format === 'json') return response.json<{ code: number }[]>()[0]!.code;
  return Number(/<errors><error><code>(\d+)<\/code>/.exec(response.body)?.[1]);
}

async function submit(format: Format, fields: Record<string, string> = {}): Promise<string> {
  const response = await post(`requests.${format}`, {
    service_code: 'road_damage',
    ...PLACES[format].here,
    description: '路面塌陷',
    email: 'reporter@example.com',
    phone: '13912345678',
    first_name: '李',
    ...fields,
  });
  expect(response.statusCode, response.body).toBe(200);
  return requestId(response, format);
}

/** The service_request_id of a POST requests answer. */
function requestId(response: LightMyRequestResponse, format: Format): string {
  return format === 'json'
    ? response.json<{ service_request_id: string }[]>()[0]!.service_request_id
    : /<service_request_id>(\d+)<\/service_request_id>/.exec(response.body)![1]!;
}

async function caseOf(requestId: string): Promise<string> {
  return (await app.storage.repositories.intake.open311ById(Number(requestId)))!.caseId;
}

describe.each(FORMATS)('Open311 conformance (%s)', (format) => {
  it('keeps staff notes private, also across a de-duplicated report', async () => {
    const first = await submit(format);
    const second = await submit(format, {
      ...PLACES[format].same,
      description: '同一处塌陷',
      email: 'b@example.com',
    });
    const caseId = await caseOf(first);
    expect(await caseOf(second)).toBe(caseId); // two reports of one place → one case
    await app.services.cases.transition(caseId, { action: 'register', note: PRIVATE }, command, EVERYTHING);
    await app.services.cases.transition(caseId, { action: 'dispatch', note: PRIVATE }, command, EVERYTHING);

    const answers = async () =>
      Promise.all([
        get(`requests/${first}.${format}?${J}&extensions=true`),
        get(`requests/${second}.${format}?${J}&extensions=true`),
        get(`requests.${format}?${J}&service_request_id=${first},${second}&extensions=true`),
        get(`requests.${format}?${J}&extensions=true`),
        get(`servicerequestupdates.${format}?${J}`),
      ]);
    for (const answer of await answers()) {
      expect(answer.statusCode).toBe(200);
      expect(answer.body).not.toContain('张师傅');
      expect(answer.body).not.toContain('13800000000');
      expect(answer.body).not.toContain('reporter@example.com');
      expect(answer.body).not.toContain('13912345678');
      // The other reporter's description is theirs: the first request never shows it.
    }
    const [one] = await answers();
    expect(one.body).not.toContain('同一处塌陷');

    // A public reply, written on purpose, is what both reporters see.
    await app.services.cases.transition(
      caseId,
      { action: 'comment', note: PRIVATE, publicNote: PUBLIC },
      command,
      EVERYTHING,
    );
    for (const answer of await answers()) {
      expect(answer.body).not.toContain('13800000000');
    }
    const [a, b, , , updates] = await answers();
    for (const answer of [a, b]) {
      if (format === 'json') {
        const [request] =
          answer.json<{ status_notes: string; extended_attributes: { timeline: unknown[] } }[]>();
        expect(request!.status_notes).toBe(PUBLIC);
        expect(request!.extended_attributes.timeline).toContainEqual(
          expect.objectContaining({ description: PUBLIC, status: 'open', case_status: 'dispatched' }),
        );
      } else {
        expect(answer.body).toContain(`<status_notes>${PUBLIC}</status_notes>`);
        expect(answer.body).toContain('<extended_attributes><timeline><entry>');
      }
    }
    const updateIds = ids(updates, format);
    expect(updateIds).toEqual(expect.arrayContaining([first, second]));
    expect(updates.body).toContain(PUBLIC);
  });

  it('counts every service_code, applies status before the limit, treats empty parameters as absent', async () => {
    const vending = await submit(format, {
      service_code: 'street_vending',
      lat: '29.5600',
      long: '106.5700',
    });
    const road = await submit(format, { lat: '29.5650', long: '106.5650' });
    const both = await get(`requests.${format}?${J}&service_code=street_vending,road_damage`);
    expect(ids(both, format)).toEqual(expect.arrayContaining([vending, road]));
    const empty = await get(`requests.${format}?${J}&service_code=&start_date=&status=`);
    expect(empty.statusCode).toBe(200);
    expect(ids(empty, format)).toEqual(expect.arrayContaining([vending, road]));

    // One closed request; with page_size=1 the newest open one still comes, not an empty page.
    const closed = await submit(format, { service_code: 'street_vending', lat: '29.5700', long: '106.5600' });
    const closedCase = await caseOf(closed);
    for (const action of ['register', 'dispatch', 'accept', 'handle', 'verify_pass', 'close']) {
      await app.services.cases.transition(closedCase, { action }, command, EVERYTHING);
    }
    const openOnly = await get(`requests.${format}?${J}&status=open&page_size=1`);
    expect(ids(openOnly, format)).toHaveLength(1);
    expect(ids(openOnly, format)).not.toContain(closed);
    const closedOnly = await get(`requests.${format}?${J}&status=closed&service_code=street_vending`);
    expect(ids(closedOnly, format)).toContain(closed);
    expect(ids(closedOnly, format)).not.toContain(vending);
  });

  it('pages with page and page_size, and ignores unknown parameters', async () => {
    const all = ids(await get(`requests.${format}?${J}&foo=bar&page_size=1000`), format);
    expect(all.length).toBeGreaterThan(2);
    const page2 = ids(await get(`requests.${format}?${J}&page=2&page_size=2&unknown=1`), format);
    expect(page2).toEqual(all.slice(2, 4));
    const bad = await get(`requests.${format}?${J}&page=0`);
    expect(bad.statusCode).toBe(400);
    expect(errorCode(bad, format)).toBe(400);
    // One GET does not walk the whole table: pages reach the first 10,000 requests.
    expect((await get(`requests.${format}?${J}&page=10&page_size=1000`)).statusCode).toBe(200);
    const deep = await get(`requests.${format}?${J}&status=closed&page=1000000&page_size=1000`);
    expect(deep.statusCode).toBe(400);
    expect(deep.body).toContain('start_date');
  });

  it('answers POST as the spec has it: id without token, 403 without a key, 400 for multipart', async () => {
    const ok = await post(`requests.${format}`, { service_code: 'street_vending', ...HERE });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).not.toContain('token');
    const noKey = await post(`requests.${format}`, { service_code: 'street_vending', ...HERE }, '');
    expect(noKey.statusCode).toBe(403);
    expect(errorCode(noKey, format)).toBe(403);
    const nowhere = await post(`requests.${format}`, { service_code: 'street_vending' });
    expect(nowhere.statusCode).toBe(400);
    expect(errorCode(nowhere, format)).toBe(400);
    for (const name of ['lat', 'long', 'address_string', 'address_id']) expect(nowhere.body).toContain(name);
    const idAlone = await post(`requests.${format}`, { service_code: 'street_vending', address_id: 'A-17' });
    expect(idAlone.statusCode).toBe(400);
    expect(idAlone.body).toContain('address_id');
    const halfPoint = await post(`requests.${format}`, { service_code: 'street_vending', lat: HERE.lat });
    expect(halfPoint.statusCode).toBe(400);
    const multipart = await app.inject({
      method: 'POST',
      url: `/open311/v2/requests.${format}?${J}`,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: `--x\r\nContent-Disposition: form-data; name="api_key"\r\n\r\n${apiKey}\r\n--x--\r\n`,
    });
    expect(multipart.statusCode).toBe(400);
    expect(errorCode(multipart, format)).toBe(400);
    expect(multipart.body).toContain('x-www-form-urlencoded');
  });

  it('accepts address_string alone: no point, in the key’s scope, flagged for an operator to locate', async () => {
    // A key for 渝中区 (500103): the case is placed in that county, with no township and no point.
    const county = (await app.services.access.createKey({ kind: 'open311', label: 'yz', scope: '500103' }))
      .key;
    const address = format === 'json' ? '渝中区解放碑步行街 12 号' : '渝中区较场口 3 号';
    const response = await post(
      `requests.${format}`,
      { service_code: 'road_damage', address_string: address, description: '井盖缺失' },
      county,
    );
    expect(response.statusCode, response.body).toBe(200);
    const id = requestId(response, format);
    const shown = await get(`requests/${id}.${format}?${J}`);
    if (format === 'json') {
      const [one] = shown.json<{ lat: unknown; long: unknown; address: string; status: string }[]>();
      expect(one).toMatchObject({ lat: null, long: null, address, status: 'open' });
    } else {
      expect(shown.body).toContain('<lat/>');
      expect(shown.body).toContain('<long/>');
      expect(shown.body).toContain(`<address>${address}</address>`);
    }
    const { record } = await app.services.cases.getCase(await caseOf(id), EVERYTHING);
    expect(record).toMatchObject({
      lon: null,
      lat: null,
      address,
      countyCode: '500103',
      townshipCode: '500103',
    });
    // Routed at the county: no township is known to send it to.
    expect(record.routing).toMatchObject({ unit: '500103' });
    expect(record.routing?.level).not.toBe('township');
    // A second report at the same address is not folded onto it: there is no distance to compare.
    const again = await post(
      `requests.${format}`,
      { service_code: 'road_damage', address_string: address },
      county,
    );
    expect(again.statusCode).toBe(200);
    expect(await caseOf(requestId(again, format))).not.toBe(record.id);
  });

  it('shows an empty description as null', async () => {
    const id = await submit(format, { description: '', lat: '29.5580', long: '106.5800' });
    const one = await get(`requests/${id}.${format}?${J}`);
    if (format === 'json') expect(one.json<{ description: unknown }[]>()[0]!.description).toBeNull();
    else expect(one.body).toContain('<description/>');
  });

  it('serves discovery from configuration, with a changeset that follows the catalog', async () => {
    const first = await get(`discovery.${format}?${J}`);
    expect(first.body).toContain('https://12345.cq.example.gov.cn/open311/v2/');
    expect(first.body).toContain('contact@example.gov.cn');
    const changeset = (r: LightMyRequestResponse) => /changeset"?>?:?"?([^"<]+)/.exec(r.body)![1];
    const before = changeset(first);
    const category = app.services.cases.catalog.category('noise_nuisance');
    await app.services.cases.catalog.putCategory({ ...category, citizenReportable: false });
    try {
      expect(changeset(await get(`discovery.${format}?${J}`))).not.toBe(before);
    } finally {
      await app.services.cases.catalog.putCategory(category);
    }
    expect(changeset(await get(`discovery.${format}?${J}`))).toBe(before);
  });

  it('requires a known jurisdiction_id where several are served, and answers unknown paths in its format', async () => {
    const unknown = await get(`services.${format}?jurisdiction_id=beijing`);
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown, format)).toBe(404);
    const missing = await get(`services.${format}`);
    expect(missing.statusCode).toBe(400);
    expect((await get(`services.${format}?jurisdiction_id=500000`)).statusCode).toBe(200);
    const nowhere = await get(`nothing-here.${format}`);
    expect(nowhere.statusCode).toBe(404);
    expect(errorCode(nowhere, format)).toBe(404);
  });

  it('takes a citizen update as a private comment', async () => {
    const id = await submit(format, { lat: '29.5590', long: '106.5790' });
    const update = await post(`servicerequestupdates.${format}`, {
      service_request_id: id,
      description: '又塌了一块 it got bigger, call me 13911112222',
    });
    expect(update.statusCode).toBe(200);
    expect(update.body).toMatch(/update_id/);
    const { timeline } = await app.services.cases.getCase(await caseOf(id), EVERYTHING);
    expect(timeline.at(-1)).toMatchObject({ action: 'comment', publicNote: null });
    expect(timeline.at(-1)?.note).toContain('it got bigger');
    const shown = await get(`requests/${id}.${format}?${J}&extensions=true`);
    expect(shown.body).not.toContain('13911112222');
    const updates = await get(`servicerequestupdates.${format}?${J}`);
    expect(updates.body).not.toContain('13911112222');
  });

  it('refuses a comment from a key of another district as if the request did not exist', async () => {
    const id = await submit(format, { lat: '29.5595', long: '106.5795' }); // 渝中区
    const beibei = (await app.services.access.createKey({ kind: 'open311', label: 'bb', scope: '500109' }))
      .key;
    const before = (await app.services.cases.getCase(await caseOf(id), EVERYTHING)).timeline.length;
    const refused = await post(
      `servicerequestupdates.${format}`,
      { service_request_id: id, description: '别的区的应用写的' },
      beibei,
    );
    expect(refused.statusCode).toBe(404);
    expect(errorCode(refused, format)).toBe(404);
    const after = (await app.services.cases.getCase(await caseOf(id), EVERYTHING)).timeline.length;
    expect(after).toBe(before);
  });
});

describe('Open311 POST rate limit', () => {
  it('is per api_key, not per client address', async () => {
    const other = (await app.services.access.createKey({ kind: 'open311', label: 'other', scope: null })).key;
    const statuses: number[] = [];
    let last: LightMyRequestResponse | undefined;
    // 40 per minute per key (CITYOPS_RATE_LIMIT_OPEN311): each POST from a different address.
    for (let i = 0; i < 41; i += 1) {
      const r = await post('requests.json', { service_code: 'nope' }, other, `10.0.${i >> 8}.${i & 255}`);
      statuses.push(r.statusCode);
      last = r;
    }
    expect(statuses.slice(0, 40).every((s) => s === 404)).toBe(true);
    expect(statuses[40]).toBe(429);
    // The simulator's client (src/sim/http-client.ts), like any well-behaved app, waits this long.
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    // Another key from the same address is not limited.
    const fresh = (await app.services.access.createKey({ kind: 'open311', label: 'third', scope: null })).key;
    expect((await post('requests.json', { service_code: 'nope' }, fresh, '10.0.0.1')).statusCode).toBe(404);
  });
});
