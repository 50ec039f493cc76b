import type { RouteSample } from '../test-support/route-samples.js';
import { DEFAULT_CATEGORIES } from './case-catalog.js';

const townships = (body: unknown): string[] =>
  (body as { items: { jurisdiction: { township: string } }[] }).items.map((c) => c.jurisdiction.township);
const featureTownships = (body: unknown): string[] =>
  (body as { features: { properties: { jurisdiction: { township: string } } }[] }).features.map(
    (f) => f.properties.jurisdiction.township,
  );

const manualCase = (at: { lon: number; lat: number }) => ({
  category: 'street_vending',
  lon: at.lon,
  lat: at.lat,
  description: '矩阵测试 占道经营',
});

/** The authorization matrix's samples for the case routes (spread into ROUTE_SAMPLES). */
export const CASE_SAMPLES: Record<string, RouteSample> = {
  'POST /api/v1/cases': {
    inside: (c) => ({ method: 'POST', url: '/api/v1/cases', payload: manualCase(c.inside) }),
    outside: (c) => ({ method: 'POST', url: '/api/v1/cases', payload: manualCase(c.outside!) }),
  },
  'GET /api/v1/cases': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/cases?scope=${c.inside.county}` }),
    outside: (c) => ({ method: 'GET', url: `/api/v1/cases?scope=${c.outside!.county}` }),
    codes: townships,
  },
  'GET /api/v1/cases/export': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/cases/export?format=geojson&scope=${c.inside.county}` }),
    outside: (c) => ({
      method: 'GET',
      url: `/api/v1/cases/export?format=geojson&scope=${c.outside!.county}`,
    }),
    codes: featureTownships,
  },
  'GET /api/v1/cases/stats': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/cases/stats?scope=${c.inside.county}&groupBy=category` }),
    outside: (c) => ({ method: 'GET', url: `/api/v1/cases/stats?scope=${c.outside!.county}` }),
    codes: (body) => {
      const scope = (body as { scope: string | null }).scope;
      return scope ? [scope] : [];
    },
  },
  'GET /api/v1/cases/categories': { inside: () => ({ method: 'GET', url: '/api/v1/cases/categories' }) },
  'PUT /api/v1/cases/categories/:code': {
    inside: (c) => ({
      method: 'PUT',
      url: `/api/v1/cases/categories/matrix_${c.unique}`,
      payload: { ...DEFAULT_CATEGORIES[0], code: `matrix_${c.unique}` },
    }),
  },
  'GET /api/v1/cases/department-types': {
    inside: () => ({ method: 'GET', url: '/api/v1/cases/department-types' }),
  },
  'PUT /api/v1/cases/department-types/:code': {
    inside: (c) => ({
      method: 'PUT',
      url: `/api/v1/cases/department-types/matrix_${c.unique}`,
      payload: { code: `matrix_${c.unique}`, zh: '测试局', en: 'Test bureau', levels: ['county'] },
    }),
  },
  'GET /api/v1/cases/departments': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/cases/departments?unit=${c.inside.township}` }),
    outside: (c) => ({ method: 'GET', url: `/api/v1/cases/departments?unit=${c.outside!.township}` }),
  },
  'GET /api/v1/cases/routing-rules': {
    inside: () => ({ method: 'GET', url: '/api/v1/cases/routing-rules' }),
  },
  'PUT /api/v1/cases/routing-rules/:id': {
    inside: (c) => ({
      method: 'PUT',
      url: `/api/v1/cases/routing-rules/matrix-${c.unique}`,
      payload: {
        id: `matrix-${c.unique}`,
        category: 'noise_nuisance',
        priority: 'low',
        level: null,
        departmentType: null,
        note: 'matrix',
      },
    }),
  },
  'DELETE /api/v1/cases/routing-rules/:id': {
    inside: (c) => ({ method: 'DELETE', url: `/api/v1/cases/routing-rules/matrix-gone-${c.unique}` }),
  },
  'GET /api/v1/cases/:id': {
    inside: async (c) => ({ method: 'GET', url: `/api/v1/cases/${await c.createCase(c.inside)}` }),
    outside: async (c) => ({ method: 'GET', url: `/api/v1/cases/${await c.createCase(c.outside!)}` }),
  },
  'POST /api/v1/cases/:id/transitions': {
    inside: async (c) => ({
      method: 'POST',
      url: `/api/v1/cases/${await c.createCase(c.inside)}/transitions`,
      payload: { action: 'comment', note: '矩阵测试' },
    }),
    outside: async (c) => ({
      method: 'POST',
      url: `/api/v1/cases/${await c.createCase(c.outside!)}/transitions`,
      payload: { action: 'comment', note: '矩阵测试' },
    }),
  },
};
