import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { buildTestApp } from '../test-support/app.js';
import { parseForm } from './open311.routes.js';

// 解放碑, 渝中区
const AT = { lat: '29.5576', long: '106.5775' };
let app: FastifyInstance;
let apiKey: string;

beforeAll(async () => {
  app = await buildTestApp();
  apiKey = (await app.services.access.createKey({ kind: 'open311', label: 'citizen app', scope: null })).key;
});
afterAll(async () => app.close());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (format: 'json' | 'xml', fields: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url: `/open311/v2/requests.${format}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form(fields),
  });

interface Request311 {
  service_request_id: string;
  status: string;
  status_notes: string | null;
  agency_responsible: string | null;
  expected_datetime: string | null;
  requested_datetime: string;
  service_code: string;
  lat: number;
  long: number;
}

describe('Open311 GeoReport v2', () => {
  it('serves discovery and the citizen-reportable services in JSON and XML', async () => {
    const discovery = await app.inject({ method: 'GET', url: '/open311/v2/discovery.json' });
    expect(discovery.json()).toMatchObject({
      endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2' }],
    });
    const services = await app.inject({ method: 'GET', url: '/open311/v2/services.json' });
    expect(services.statusCode).toBe(200);
    const codes = services.json<{ service_code: string; metadata: boolean }[]>().map((s) => s.service_code);
    expect(codes).toContain('street_vending');
    expect(codes).toContain('manhole_cover');
    expect(codes).not.toContain('water_supply_incident');
    const xml = await app.inject({ method: 'GET', url: '/open311/v2/services.xml' });
    expect(xml.headers['content-type']).toMatch(/^text\/xml/);
    expect(xml.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<services><service><service_code>/);
    expect(xml.body).toContain('<service_code>street_vending</service_code>');
  });

  it('offers only the categories the catalog marks citizen-reportable (市民可报)', async () => {
    const category = app.services.cases.catalog.category('noise_nuisance');
    expect(category.citizenReportable).toBe(true);
    await app.services.cases.catalog.putCategory({ ...category, citizenReportable: false });
    try {
      const services = await app.inject({ method: 'GET', url: '/open311/v2/services.json' });
      expect(services.json<{ service_code: string }[]>().map((s) => s.service_code)).not.toContain(
        'noise_nuisance',
      );
      const refused = await post('json', { api_key: apiKey, service_code: 'noise_nuisance', ...AT });
      expect(refused.statusCode).toBe(404);
    } finally {
      await app.services.cases.catalog.putCategory(category);
    }
  });

  it('describes a service’s attributes', async () => {
    const json = await app.inject({ method: 'GET', url: '/open311/v2/services/manhole_cover.json' });
    expect(json.json()).toMatchObject({
      service_code: 'manhole_cover',
      attributes: [{ code: 'hazard', datatype: 'singlevaluelist' }, { code: 'asset_id' }],
    });
    const xml = await app.inject({ method: 'GET', url: '/open311/v2/services/manhole_cover.xml' });
    expect(xml.body).toContain(
      '<service_definition><service_code>manhole_cover</service_code><attributes><attribute>',
    );
    expect(xml.body).toContain('<values><value><key>yes</key>');
    const missing = await app.inject({ method: 'GET', url: '/open311/v2/services/nope.xml' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toMatch(
      /<errors><error><code>404<\/code><description>[^<]+<\/description><\/error><\/errors>/,
    );
  });

  it('takes a request with an api_key, finds it by token and id, and shows it closed once the case closes', async () => {
    const created = await post('json', {
      api_key: apiKey,
      service_code: 'road_damage',
      ...AT,
      address_string: '渝中区解放碑步行街',
      description: '路面有坑 <深约10cm> & 积水',
      'attribute[hazard]': 'no',
      email: 'citizen@example.com',
    });
    expect(created.statusCode).toBe(200);
    const [receipt] = created.json<{ service_request_id: string; token?: string }[]>();
    expect(receipt?.service_request_id).toMatch(/^\d+$/);
    expect(receipt?.token).toBeUndefined();
    const id = receipt!.service_request_id;
    const { token: stored311 } = (await app.storage.repositories.intake.open311ById(Number(id)))!;

    const token = await app.inject({ method: 'GET', url: `/open311/v2/tokens/${stored311}.json` });
    expect(token.json()).toEqual([{ service_request_id: id, token: stored311 }]);
    const tokenXml = await app.inject({ method: 'GET', url: `/open311/v2/tokens/${stored311}.xml` });
    expect(tokenXml.body).toContain(
      `<service_requests><request><service_request_id>${id}</service_request_id>`,
    );

    const one = await app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.json` });
    const [request] = one.json<Request311[]>();
    expect(request).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: 'road_damage',
      lat: 29.5576,
    });
    expect(request?.expected_datetime).toMatch(/\+08:00$/);
    expect(JSON.stringify(one.json())).not.toContain('citizen@example.com');

    const xml = await app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.xml` });
    expect(xml.body).toContain('<status>open</status>');
    expect(xml.body).toContain('<description>路面有坑 &lt;深约10cm&gt; &amp; 积水</description>');

    // The case goes through its lifecycle; the citizen sees it closed with the closing note.
    const stored = await app.storage.repositories.intake.open311ById(Number(id));
    const command = { kind: 'command' as const, name: 'operator', department: null };
    for (const action of ['register', 'dispatch', 'accept', 'handle', 'verify_pass', 'close']) {
      await app.services.cases.transition(
        stored!.caseId,
        action === 'close'
          ? { action, note: '班组3 张师傅 13800000000', publicNote: '已修复路面 road repaired' }
          : { action },
        command,
        EVERYTHING,
      );
    }
    const closed = await app.inject({
      method: 'GET',
      url: `/open311/v2/requests.json?service_request_id=${id}`,
    });
    expect(closed.json<Request311[]>()[0]).toMatchObject({
      status: 'closed',
      status_notes: '已修复路面 road repaired',
      expected_datetime: null,
    });
    expect(closed.json<Request311[]>()[0]?.agency_responsible).toBeTruthy();
    const closedXml = await app.inject({ method: 'GET', url: `/open311/v2/requests/${id}.xml` });
    expect(closedXml.body).toContain('<status>closed</status>');
    const onlyOpen = await app.inject({ method: 'GET', url: `/open311/v2/requests.json?status=open` });
    expect(onlyOpen.json<Request311[]>().map((r) => r.service_request_id)).not.toContain(id);
    const byService = await app.inject({
      method: 'GET',
      url: `/open311/v2/requests.xml?service_code=road_damage&status=closed`,
    });
    expect(byService.body).toContain(`<service_request_id>${id}</service_request_id>`);
  });

  it('posts in XML too, and answers errors as the spec’s list in both formats', async () => {
    const xml = await post('xml', { api_key: apiKey, service_code: 'street_vending', ...AT });
    expect(xml.statusCode).toBe(200);
    expect(xml.body).toMatch(
      /<service_requests><request><service_request_id>\d+<\/service_request_id><service_notice>/,
    );

    const noKey = await post('json', { service_code: 'street_vending', ...AT });
    expect(noKey.statusCode).toBe(403);
    expect(noKey.json()).toEqual([{ code: 403, description: 'api_key is required: a key of kind open311' }]);
    const device = (await app.services.access.createKey({ kind: 'device', label: 'gw', scope: null })).key;
    const wrongKind = await post('json', { api_key: device, service_code: 'street_vending', ...AT });
    expect(wrongKind.statusCode).toBe(403);
    const badKey = await post('xml', { api_key: 'cok_open311_nope', service_code: 'street_vending', ...AT });
    expect(badKey.statusCode).toBe(403);
    expect(badKey.body).toContain('<errors><error><code>403</code>');
    const unknown = await post('json', { api_key: apiKey, service_code: 'gas_incident', ...AT });
    expect(unknown.statusCode).toBe(404);
    const noPlace = await post('json', { api_key: apiKey, service_code: 'street_vending' });
    expect(noPlace.statusCode).toBe(400);
    const badAttr = await post('json', {
      api_key: apiKey,
      service_code: 'street_vending',
      ...AT,
      'attribute[hazard]': 'maybe',
    });
    expect(badAttr.statusCode).toBe(400);
    const outside = await post('json', {
      api_key: apiKey,
      service_code: 'street_vending',
      lat: '39.9',
      long: '116.4',
    });
    expect(outside.statusCode).toBe(400);
    const badDate = await app.inject({
      method: 'GET',
      url: '/open311/v2/requests.json?start_date=yesterday',
    });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json<{ code: number }[]>()[0]?.code).toBe(400);
    const unknownParam = await app.inject({ method: 'GET', url: '/open311/v2/requests.xml?color=red' });
    expect(unknownParam.statusCode).toBe(200);
    expect(unknownParam.body).toContain('<service_requests>');
    const noRequest = await app.inject({ method: 'GET', url: '/open311/v2/requests/999999.json' });
    expect(noRequest.statusCode).toBe(404);
  });

  it('parses repeated form fields into lists without a prototype', () => {
    const parsed = parseForm('a=1&a=2&__proto__=x&attribute%5Bhazard%5D=no');
    expect(parsed.a).toEqual(['1', '2']);
    expect(parsed['attribute[hazard]']).toBe('no');
    expect(Object.getPrototypeOf(parsed)).toBeNull();
  });
});
