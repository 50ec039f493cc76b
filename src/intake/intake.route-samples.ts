import type { InjectOptions } from 'fastify';
import type { RouteSample, SampleContext } from '../test-support/route-samples.js';

type At = { lon: number; lat: number };

const cameraCodes = (body: unknown): string[] =>
  (body as { items: { jurisdiction: { township: string | null; county: string | null } }[] }).items.map(
    (c) => c.jurisdiction.township ?? c.jurisdiction.county ?? '',
  );

const camera = async (c: SampleContext, at: At) => {
  if (!c.createCamera) throw new Error('the matrix context has no createCamera');
  return c.createCamera(at);
};

const onCamera =
  (method: InjectOptions['method'], where: 'inside' | 'outside', suffix = '', payload?: object) =>
  async (c: SampleContext): Promise<InjectOptions> => ({
    method,
    url: `/api/v1/cameras/${await camera(c, where === 'inside' ? c.inside : c.outside!)}${suffix}`,
    ...(payload ? { payload } : {}),
  });

const detection = (where: 'inside' | 'outside') => async (c: SampleContext) => ({
  method: 'POST' as const,
  url: '/api/v1/detections',
  payload: [
    {
      camera: await camera(c, where === 'inside' ? c.inside : c.outside!),
      class: 'street_vending',
      confidence: 0.9,
      ts: Date.now(),
    },
  ],
});

const hotline = (where: 'inside' | 'outside') => (c: SampleContext) => {
  const at = where === 'inside' ? c.inside : c.outside!;
  return {
    method: 'POST' as const,
    url: '/api/v1/intake/hotline',
    headers: { 'content-type': 'text/csv' },
    payload: `record_no,category,lon,lat,description,reported_at\nM-${where}-${c.unique},street_vending,${at.lon},${at.lat},矩阵测试,2026-11-25 08:00\n`,
  };
};

const get = (url: string) => () => ({ method: 'GET' as const, url });

const open311: Record<string, RouteSample> = {};
for (const format of ['json', 'xml']) {
  open311[`GET /open311/v2/discovery.${format}`] = { inside: get(`/open311/v2/discovery.${format}`) };
  open311[`GET /open311/v2/services.${format}`] = { inside: get(`/open311/v2/services.${format}`) };
  open311[`GET /open311/v2/requests.${format}`] = { inside: get(`/open311/v2/requests.${format}`) };
  open311[`GET /open311/v2/servicerequestupdates.${format}`] = {
    inside: get(`/open311/v2/servicerequestupdates.${format}`),
  };
  // A missing or wrong api_key is 403 by the spec (not the access policy's), so the POSTs are
  // sampled with a multipart body, refused (400) before any key is looked at.
  for (const path of ['requests', 'servicerequestupdates']) {
    open311[`POST /open311/v2/${path}.${format}`] = {
      inside: () => ({
        method: 'POST',
        url: `/open311/v2/${path}.${format}`,
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        payload: '--x--\r\n',
      }),
    };
  }
}

/** The authorization matrix's samples for the camera, detection, hotline and Open311 routes. */
export const INTAKE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/cameras': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/cameras?scope=${c.inside.county}` }),
    outside: (c) => ({ method: 'GET', url: `/api/v1/cameras?scope=${c.outside!.county}` }),
    codes: cameraCodes,
  },
  'POST /api/v1/cameras': {
    inside: (c) => ({
      method: 'POST',
      url: '/api/v1/cameras',
      payload: { id: `m-cam-in-${c.unique}`, lon: c.inside.lon, lat: c.inside.lat },
    }),
    outside: (c) => ({
      method: 'POST',
      url: '/api/v1/cameras',
      payload: { id: `m-cam-out-${c.unique}`, lon: c.outside!.lon, lat: c.outside!.lat },
    }),
  },
  'POST /api/v1/cameras/import': {
    inside: (c) => ({
      method: 'POST',
      url: '/api/v1/cameras/import',
      headers: { 'content-type': 'text/csv' },
      payload: `id,lon,lat\nm-cam-imp-${c.unique},${c.inside.lon},${c.inside.lat}\n`,
    }),
  },
  'GET /api/v1/cameras/:id': { inside: onCamera('GET', 'inside'), outside: onCamera('GET', 'outside') },
  'PATCH /api/v1/cameras/:id': {
    inside: onCamera('PATCH', 'inside', '', { department: 'matrix' }),
    outside: onCamera('PATCH', 'outside', '', { department: 'matrix' }),
  },
  'DELETE /api/v1/cameras/:id': {
    inside: onCamera('DELETE', 'inside'),
    outside: onCamera('DELETE', 'outside'),
  },
  'GET /api/v1/cameras/:id/detections': {
    inside: onCamera('GET', 'inside', '/detections'),
    outside: onCamera('GET', 'outside', '/detections'),
  },
  'GET /api/v1/detection-classes': { inside: get('/api/v1/detection-classes') },
  'POST /api/v1/detections': {
    inside: detection('inside'),
    outside: detection('outside'),
    // The batch is answered; a detection from a camera outside is refused alone as UNKNOWN_CAMERA.
    outsideStatus: 200,
  },
  'POST /api/v1/intake/hotline': {
    inside: hotline('inside'),
    outside: hotline('outside'),
    // The file is answered; the row outside is refused alone as OUTSIDE_JURISDICTION.
    outsideStatus: 200,
  },
  'GET /open311/v2/services/:file': { inside: get('/open311/v2/services/street_vending.json') },
  'GET /open311/v2/requests/:file': { inside: get('/open311/v2/requests/1.xml') },
  'GET /open311/v2/tokens/:file': { inside: get('/open311/v2/tokens/unknown.json') },
  ...open311,
};
