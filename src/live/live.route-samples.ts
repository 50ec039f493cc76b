import type { RouteSample } from '../test-support/route-samples.js';

/** The authorization matrix's samples for the dashboard's routes (spread into ROUTE_SAMPLES). */
export const LIVE_SAMPLES: Record<string, RouteSample> = {
  'GET /api/v1/overview': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/overview?scope=${c.inside.county}` }),
    outside: (c) => ({ method: 'GET', url: `/api/v1/overview?scope=${c.outside!.county}` }),
    codes: (body) => (body as { units: { code: string }[] }).units.map((u) => u.code),
  },
  // Over plain HTTP the feed answers a replay; the WebSocket upgrade is tested in live.routes.test.ts.
  'GET /api/v1/live': {
    inside: (c) => ({ method: 'GET', url: `/api/v1/live?since=0&scope=${c.inside.county}` }),
    outside: (c) => ({ method: 'GET', url: `/api/v1/live?since=0&scope=${c.outside!.county}` }),
    codes: (body) => (body as { events: { township: string }[] }).events.map((e) => e.township),
  },
};
