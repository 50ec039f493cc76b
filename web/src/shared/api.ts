/** The signed-in session, kept in sessionStorage so a reload keeps it and closing the tab ends it. */
interface Session {
  accessToken: string;
  refreshToken: string;
}

const KEY = 'cityops.session';
let onSignedOut: () => void = () => undefined;

/** Registers what to do when the session ends (expired refresh, logout elsewhere). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

function session(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as Session) : null;
}

/** Stores the tokens of a fresh sign-in. */
export function saveSession(value: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(value));
}

/** Forgets the session locally. */
export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

/** True when there are tokens to try. */
export function hasSession(): boolean {
  return session() !== null;
}

/** The error the server answered with: a stable code and a readable message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The current access token, for the live feed's WebSocket (which cannot send headers). */
export function accessToken(): string | null {
  return session()?.accessToken ?? null;
}

async function refresh(): Promise<boolean> {
  const current = session();
  if (!current) return false;
  const response = await fetch('/api/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: current.refreshToken }),
  });
  if (!response.ok) return false;
  saveSession((await response.json()) as Session);
  return true;
}

/** Calls the API with the session's token, refreshing it once when it has expired. */
export async function request<T>(method: string, url: string, body?: unknown, retried = false): Promise<T> {
  const token = session()?.accessToken;
  const response = await fetch(url, {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 401 && token && !retried) {
    if (await refresh()) return request<T>(method, url, body, true);
    clearSession();
    onSignedOut();
  }
  if (response.status === 204) return undefined as T;
  const json = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok) {
    throw new ApiError(
      response.status,
      json.error?.code ?? 'UNKNOWN',
      json.error?.message ?? response.statusText,
    );
  }
  return json;
}

/** POST with the session's token. */
export function postJson<T>(url: string, body: unknown = {}): Promise<T> {
  return request<T>('POST', url, body);
}

/** GET with the session's token. */
export function getJson<T>(url: string): Promise<T> {
  return request<T>('GET', url);
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

/** GET /api/v1/auth/me. */
export interface Me {
  kind: 'user' | 'key';
  name: string;
  role: string;
  scope: string | null;
  department: string | null;
  permissions?: string[];
}

/** Builds a query string from the defined values (`?a=1&b=x`), or '' when there are none. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
