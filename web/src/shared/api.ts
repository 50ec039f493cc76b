/** Minimal API client: JSON GET with the server's error shape turned into an Error. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok) {
    throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : response.statusText);
  }
  return body;
}

/** A jurisdiction boundary feature, as /api/v1/jurisdictions/geojson returns it. */
export interface UnitFeature {
  type: 'Feature';
  id: string;
  properties: { code: string; name: string; level: string; parent: string | null; approximate: boolean };
  geometry: { type: 'MultiPolygon'; coordinates: number[][][][] };
}

/** A FeatureCollection of jurisdiction boundaries. */
export interface UnitCollection {
  type: 'FeatureCollection';
  features: UnitFeature[];
}

/** GET /healthz. */
export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  database: { engine: string; ok: boolean };
}
