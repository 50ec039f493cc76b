import {
  BEARER_PROTOCOL_PREFIX,
  LIVE_CLOSE,
  LIVE_PROTOCOL,
  type LiveEvent,
  type ServerMessage,
  type VitalsMessage,
} from '../../../src/live/live.types';

/** The connection's state, for the header's indicator. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** What the dashboard listens to. */
export interface LiveListener {
  events?(events: LiveEvent[]): void;
  vitals?(message: VitalsMessage): void;
  /** The feed could not bring this client up to date (a restart, a long outage): refetch snapshots. */
  reset?(): void;
  status?(status: LiveStatus): void;
}

/** The part of a browser WebSocket the client uses. */
export interface SocketLike {
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  send(data: string): void;
  close(): void;
}

/** What the client needs from its surroundings (the browser, or a test). */
export interface LiveDeps {
  open(url: string, protocols: string[]): SocketLike;
  token(): string | null;
  /** Makes sure the session is usable (refreshing the token); 'signed-out' ends the feed. */
  check(): Promise<'ok' | 'signed-out' | 'down'>;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Reconnect delays: quick at first, then at most 15 s. */
export function backoff(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** attempt);
}

/** With vitals every 5 s, this long without a message means the connection is dead. */
export const SILENCE_MS = 20_000;

/**
 * One WebSocket per page to /api/v1/live. It remembers the feed position (epoch + seq) and
 * reconnects with it after any drop, so the server replays what was missed; when the server
 * answers `resumed: false` (restart, position too old) listeners are told to refetch. A closed
 * session (4401) refreshes the token first; a forbidden role (4403) stops.
 */
export class LiveClient {
  private socket: SocketLike | null = null;
  private position: { epoch: string; seq: number } | null = null;
  private scope: string | null = null;
  private readonly listeners = new Set<LiveListener>();
  private attempt = 0;
  private timer: unknown = null;
  private watchdog: unknown = null;
  private stopped = true;
  private current: LiveStatus = 'offline';

  constructor(private readonly deps: LiveDeps) {}

  /** Adds a listener; returns its removal. */
  listen(listener: LiveListener): () => void {
    this.listeners.add(listener);
    listener.status?.(this.current);
    return () => this.listeners.delete(listener);
  }

  /** The state of the connection. */
  get status(): LiveStatus {
    return this.current;
  }

  /**
   * Watches `scope` from `position` (the `live` of the snapshot just fetched, so nothing between
   * the snapshot and the connection is lost). Connects if needed, else switches the scope.
   */
  watch(scope: string, position?: { epoch: string; seq: number }): void {
    const changed = scope !== this.scope;
    this.scope = scope;
    if (
      position &&
      (!this.position || position.epoch !== this.position.epoch || position.seq > this.position.seq)
    ) {
      this.position = position;
    }
    if (this.stopped) {
      this.stopped = false;
      this.connect();
    } else if (changed && this.current === 'live') {
      this.socket?.send(JSON.stringify({ type: 'view', scope }));
    }
  }

  /** Closes the connection for good (sign-out, page closed). */
  stop(): void {
    this.stopped = true;
    this.clear();
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.setStatus('offline');
  }

  private connect(): void {
    const token = this.deps.token();
    if (!token || this.scope === null) {
      this.stop();
      return;
    }
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const params = new URLSearchParams({ scope: this.scope });
    if (this.position) {
      params.set('since', String(this.position.seq));
      params.set('epoch', this.position.epoch);
    }
    const socket = this.deps.open(`/api/v1/live?${params.toString()}`, [
      LIVE_PROTOCOL,
      BEARER_PROTOCOL_PREFIX + token,
    ]);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.arm();
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket || typeof event.data !== 'string') return;
      this.arm();
      this.receive(JSON.parse(event.data) as ServerMessage);
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.clear();
      if (this.stopped) return;
      if (event.code === LIVE_CLOSE.forbidden) {
        this.stop();
        return;
      }
      // A refused upgrade (expired token) closes before opening and carries no reason: check the
      // session over HTTP, which refreshes the token, before trying again.
      const needsCheck = event.code === LIVE_CLOSE.unauthenticated || !opened;
      this.retry(needsCheck);
    };
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case 'hello': {
        const lost = this.position !== null && !message.resumed;
        this.position = { epoch: message.epoch, seq: message.seq };
        this.attempt = 0;
        this.setStatus('live');
        if (lost) this.each((l) => l.reset?.());
        // The scope may have changed while connecting.
        if (this.scope !== null && message.scope !== this.scope) {
          this.socket?.send(JSON.stringify({ type: 'view', scope: this.scope }));
        }
        return;
      }
      case 'events':
        this.advance(message.seq);
        this.each((l) => l.events?.(message.events));
        return;
      case 'vitals':
        this.advance(message.seq);
        if (message.scope === this.scope) this.each((l) => l.vitals?.(message));
        return;
      case 'reset':
        this.advance(message.seq);
        this.each((l) => l.reset?.());
        return;
      case 'view':
        this.advance(message.seq);
        return;
      case 'error':
        return;
    }
  }

  private advance(seq: number): void {
    if (this.position && seq > this.position.seq) this.position = { ...this.position, seq };
  }

  private retry(check: boolean): void {
    this.setStatus('reconnecting');
    const delay = backoff(this.attempt++);
    this.timer = this.deps.setTimer(() => {
      this.timer = null;
      if (this.stopped) return;
      if (!check) {
        this.connect();
        return;
      }
      void this.deps.check().then((state) => {
        if (this.stopped) return;
        if (state === 'signed-out') this.stop();
        else if (state === 'down') this.retry(true);
        else this.connect();
      });
    }, delay);
  }

  /** Restarts the silence watchdog: no message for SILENCE_MS → drop and reconnect. */
  private arm(): void {
    if (this.watchdog !== null) this.deps.clearTimer(this.watchdog);
    this.watchdog = this.deps.setTimer(() => {
      this.watchdog = null;
      const socket = this.socket;
      if (!socket) return;
      this.socket = null;
      socket.close();
      if (!this.stopped) this.retry(false);
    }, SILENCE_MS);
  }

  private clear(): void {
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    if (this.watchdog !== null) this.deps.clearTimer(this.watchdog);
    this.timer = null;
    this.watchdog = null;
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.current) return;
    this.current = status;
    this.each((l) => l.status?.(status));
  }

  private each(fn: (listener: LiveListener) => void): void {
    for (const l of this.listeners) fn(l);
  }
}
