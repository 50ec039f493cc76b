/**
 * The simulator's HTTP client: Node's fetch (keep-alive) against the public API, with what a
 * well-behaved device or app does — honour Retry-After on 429 and 503, retry through a restart of
 * the server, refresh a user's access token before it expires — and a gentle pace per signed-in
 * user so that the simulated staff stay under the server's per-user rate limit.
 */

/** A failure of the target the simulator cannot work around (unreachable, refusing its credentials). */
export class SimTargetError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SimTargetError';
  }
}

/** An answer: status and parsed JSON body (or text when it is not JSON). */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** What a request authenticates with: an API key, or a signed-in user's session. */
export type Credential = { key: string } | { session: Session };

/** What to send. */
export interface RequestOptions {
  auth?: Credential;
  json?: unknown;
  /** A raw body with its content type (CSV imports, form-encoded Open311). */
  body?: { text: string; type: string };
  /** Retry on 429 / 503 / network errors (default true). */
  retry?: boolean;
}

/** A signed-in user: tokens, refreshed through the public refresh route before they expire. */
export class Session {
  private refreshing: Promise<void> | undefined;
  private nextSlot = 0;

  constructor(
    readonly username: string,
    private accessToken: string,
    private refreshToken: string,
    private expiresAt: number,
    /** Requests per second this user sends at most (the server limits each user per minute). */
    private readonly perSecond = 15,
  ) {}

  /** A bearer header, refreshing first when the token has less than a minute left. */
  async header(http: SimHttp): Promise<string> {
    if (Date.now() > this.expiresAt - 60_000) await this.refresh(http);
    return `Bearer ${this.accessToken}`;
  }

  /** Waits for this user's next request slot. */
  async pace(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.perSecond;
    if (slot > now) await sleep(slot - now);
  }

  /** Exchanges the refresh token (once at a time, however many requests notice expiry together). */
  refresh(http: SimHttp): Promise<void> {
    this.refreshing ??= (async () => {
      const answer = await http.send<{ accessToken: string; refreshToken: string; expiresIn: number }>(
        'POST',
        '/api/v1/auth/refresh',
        { json: { refreshToken: this.refreshToken } },
      );
      if (answer.status !== 200) {
        throw new SimTargetError(
          `${this.username}: the session could not be refreshed (HTTP ${answer.status})`,
          answer.status,
        );
      }
      this.accessToken = answer.body.accessToken;
      this.refreshToken = answer.body.refreshToken;
      this.expiresAt = Date.now() + answer.body.expiresIn * 1000;
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}

/** Signs a user in through POST /api/v1/auth/login. */
export async function signIn(
  http: SimHttp,
  username: string,
  password: string,
  perSecond?: number,
): Promise<Session> {
  const answer = await http.send<{
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
    error?: { message: string };
  }>('POST', '/api/v1/auth/login', { json: { username, password } });
  if (answer.status !== 200) {
    throw new SimTargetError(
      `signing in as ${username} failed (HTTP ${answer.status}${answer.body.error ? `: ${answer.body.error.message}` : ''})`,
      answer.status,
    );
  }
  return new Session(
    username,
    answer.body.accessToken,
    answer.body.refreshToken,
    Date.now() + answer.body.expiresIn * 1000,
    perSecond,
  );
}

/** Counts of what the client had to work around, for the summary. */
export interface HttpCounters {
  requests: number;
  retries: number;
  throttled: number;
}

/** HTTP against one cityops base URL. */
export class SimHttp {
  readonly counters: HttpCounters = { requests: 0, retries: 0, throttled: 0 };
  private stopped = false;

  constructor(
    readonly base: string,
    private readonly options: { maxWaitMs?: number } = {},
  ) {}

  /** Stops waiting: pending retries give up at their next turn. */
  stop(): void {
    this.stopped = true;
  }

  /** Sends one request; on 429/503 and connection errors waits and retries (unless `retry` is false). */
  async send<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const deadline = Date.now() + (this.options.maxWaitMs ?? 120_000);
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      let body: string | undefined;
      if (options.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.json);
      } else if (options.body) {
        headers['content-type'] = options.body.type;
        body = options.body.text;
      }
      const auth = options.auth;
      if (auth && 'key' in auth) headers['x-api-key'] = auth.key;
      if (auth && 'session' in auth) {
        await auth.session.pace();
        headers.authorization = await auth.session.header(this);
      }
      this.counters.requests++;
      let response: Response;
      try {
        response = await fetch(`${this.base}${path}`, {
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
        });
      } catch (error) {
        if (options.retry === false || this.stopped || Date.now() > deadline) {
          throw new SimTargetError(
            `${this.base} is not reachable (${describe(error)}); is cityops running there?`,
          );
        }
        this.counters.retries++;
        await sleep(Math.min(5000, 250 * 2 ** Math.min(attempt, 5)));
        continue;
      }
      const text = await response.text();
      const parsed = parse(text);
      if (response.status === 401 && auth && 'session' in auth && !refreshed) {
        refreshed = true;
        await auth.session.refresh(this);
        continue;
      }
      if (
        (response.status === 429 || response.status === 503) &&
        options.retry !== false &&
        !this.stopped &&
        Date.now() < deadline
      ) {
        this.counters.throttled++;
        const after = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 30) * 1000 : 1000);
        continue;
      }
      return { status: response.status, body: parsed as T, headers: response.headers };
    }
  }
}

function parse(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
