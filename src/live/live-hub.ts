import type { Principal } from '../access/principal.js';
import type { Visibility } from '../jurisdictions/visibility.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { LiveFeed } from './live-feed.js';
import {
  LIVE_CLOSE,
  type LiveDomainFigure,
  type LiveEvent,
  type LiveUnitLoad,
  type ServerMessage,
  type VitalsMessage,
} from './live.types.js';
import { DOMAINS, type VitalsBoard } from './vitals-board.js';

/**
 * Which feed events a caller sees when watching `scope`: those inside its jurisdiction and the
 * watched unit, and of a topic its role may read (alarms:read, cases:read).
 */
export function eventFilter(
  principal: Pick<Principal, 'permissions'>,
  visible: Visibility,
  tree: JurisdictionTree,
  scope: string,
): (event: LiveEvent) => boolean {
  const alarms = principal.permissions.has('alarms:read');
  const cases = principal.permissions.has('cases:read');
  return (event) =>
    (event.topic === 'alarm' ? alarms : cases) &&
    visible.contains(event.township) &&
    tree.isWithin(event.township, scope);
}

/** The part of a WebSocket the hub uses (ws's WebSocket has it; tests pass a fake). */
export interface LiveSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

/** A connected client: who it is, what it may see, what it watches and how far it has read. */
export interface LiveConnection {
  socket: LiveSocket;
  principal: Principal;
  /** The access token it connected with, re-checked periodically like every HTTP request. */
  token: string;
  visible: Visibility;
  /** The unit the client watches (its dashboard's scope), inside what it may see. */
  scope: string;
  /** The feed position this client has been brought up to. */
  cursor: number;
}

/** Tuning of the hub. */
export interface LiveHubOptions {
  feed: LiveFeed;
  board: VitalsBoard;
  tree: () => JurisdictionTree;
  /** Re-authenticates a token like the onRequest hook does: null once the session ended or it expired. */
  authenticate: (token: string) => Promise<Principal | null>;
  clock?: () => number;
  /** How often queued events go out (batched). Default 250 ms. */
  flushMs?: number;
  /** How often vital-sign summaries are computed and sent. Default 5 s. */
  vitalsMs?: number;
  /** How often each connection's session is re-checked. Default 30 s. */
  recheckMs?: number;
  /** A client with more than this many bytes unsent is skipped, then dropped if it falls off the ring. */
  maxBufferedBytes?: number;
  /** Events per message. Default 500. */
  batch?: number;
  onError?: (error: unknown, during: string) => void;
}

/**
 * Fans the feed out to WebSocket clients, each filtered on the server by the client's visibility
 * (its user's jurisdiction) and the scope it watches, with alarm and case events only for roles
 * that may read them. Every connection is a cursor into the feed's ring, so catching up after a
 * reconnect and sending live events are the same loop.
 */
export class LiveHub {
  private readonly connections = new Set<LiveConnection>();
  private timers: NodeJS.Timeout[] = [];
  private readonly clock: () => number;

  constructor(private readonly options: LiveHubOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Starts the timers (flush, vitals, session re-checks); they do not keep the process alive. */
  start(): void {
    const every = (ms: number, work: () => unknown, during: string) => {
      const timer = setInterval(() => {
        try {
          const result = work();
          if (result instanceof Promise) result.catch((e: unknown) => this.options.onError?.(e, during));
        } catch (error) {
          this.options.onError?.(error, during);
        }
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.flushMs ?? 250, () => this.flush(), 'live flush');
    every(this.options.vitalsMs ?? 5000, () => this.tickVitals(), 'live vitals');
    every(this.options.recheckMs ?? 30_000, () => this.recheck(), 'live session re-check');
  }

  /** Stops the timers and closes every connection as "going away". */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const c of this.connections) c.socket.close(LIVE_CLOSE.goingAway, 'server shutting down');
    this.connections.clear();
  }

  /** Number of open connections. */
  get size(): number {
    return this.connections.size;
  }

  /**
   * Adds a connection. `since`/`epoch` are the client's last position: when the feed still holds
   * it the client gets everything after it; otherwise it is told `resumed: false` and starts at
   * the head (its dashboard refetches the snapshot).
   */
  connect(input: {
    socket: LiveSocket;
    principal: Principal;
    token: string;
    visible: Visibility;
    scope: string;
    since?: number | undefined;
    epoch?: string | undefined;
  }): LiveConnection {
    const feed = this.options.feed;
    const resumed = feed.canResume(input.epoch, input.since);
    const connection: LiveConnection = {
      socket: input.socket,
      principal: input.principal,
      token: input.token,
      visible: input.visible,
      scope: input.scope,
      cursor: resumed ? input.since! : feed.seq,
    };
    this.connections.add(connection);
    this.send(connection, {
      type: 'hello',
      epoch: feed.epoch,
      seq: connection.cursor,
      scope: input.scope,
      resumed,
    });
    this.flushOne(connection);
    if (this.options.board.ready) {
      this.send(connection, this.vitalsFor(connection.scope, connection.cursor, false));
    }
    return connection;
  }

  /** Removes a connection (its socket closed). */
  disconnect(connection: LiveConnection): void {
    this.connections.delete(connection);
  }

  /** Switches the scope a connection watches; events from here on follow the new scope. */
  view(connection: LiveConnection, scope: string): void {
    this.flushOne(connection);
    connection.scope = scope;
    this.send(connection, { type: 'view', scope, seq: connection.cursor });
    if (this.options.board.ready) this.send(connection, this.vitalsFor(scope, connection.cursor, false));
  }

  /** Sends every connection the events it has not seen yet. */
  flush(): void {
    for (const c of this.connections) this.flushOne(c);
  }

  /** Recomputes the board and sends each connection the summary of the scope it watches. */
  tickVitals(): void {
    const sample = this.options.board.refresh(this.clock());
    this.flush();
    const cache = new Map<string, VitalsMessage>();
    for (const c of this.connections) {
      let message = cache.get(c.scope);
      if (!message) cache.set(c.scope, (message = this.vitalsFor(c.scope, 0, sample)));
      this.send(c, { ...message, seq: c.cursor });
    }
  }

  /** Re-authenticates every connection's token; closes those whose session ended or token expired. */
  async recheck(): Promise<void> {
    await Promise.all(
      [...this.connections].map(async (c) => {
        const principal = await this.options.authenticate(c.token);
        if (!principal || principal.id !== c.principal.id) {
          this.connections.delete(c);
          c.socket.close(LIVE_CLOSE.unauthenticated, 'UNAUTHENTICATED');
        }
      }),
    );
  }

  /** Whether the connection's user may see this event (scope, watched scope, permission). */
  matches(connection: LiveConnection, event: LiveEvent): boolean {
    return eventFilter(
      connection.principal,
      connection.visible,
      this.options.tree(),
      connection.scope,
    )(event);
  }

  private flushOne(c: LiveConnection): void {
    const feed = this.options.feed;
    if (c.cursor >= feed.seq || c.socket.readyState !== OPEN) return;
    // A client that is not reading is skipped; its cursor waits in the ring until it catches up.
    if (c.socket.bufferedAmount > (this.options.maxBufferedBytes ?? 1 << 20)) {
      if (c.cursor < feed.oldest - 1) {
        this.connections.delete(c);
        c.socket.close(LIVE_CLOSE.tooSlow, 'too slow');
      }
      return;
    }
    const batch = this.options.batch ?? 500;
    const filter = eventFilter(c.principal, c.visible, this.options.tree(), c.scope);
    for (;;) {
      const result = feed.read(c.cursor, filter, batch);
      if (result.gone) {
        // Only reachable while connected when the client stalled longer than the ring lasts.
        c.cursor = result.upTo;
        this.send(c, { type: 'reset', seq: c.cursor });
        return;
      }
      c.cursor = result.upTo;
      if (result.events.length > 0) {
        c.socket.send(
          `{"type":"events","seq":${result.upTo},"events":[${result.events.map((e) => e.json).join(',')}]}`,
        );
      }
      if (result.events.length < batch || c.cursor >= feed.seq) return;
    }
  }

  private vitalsFor(scope: string, seq: number, sample: boolean): VitalsMessage {
    const board = this.options.board;
    const tally = board.of(scope);
    const tree = this.options.tree();
    const children = tree.children(scope);
    const domains: LiveDomainFigure[] = DOMAINS.map((d, i) => {
      const t = tally.domains[i]!;
      return {
        domain: d.code,
        sensors: t.sensors,
        online: t.online,
        normalShare: t.online > 0 ? t.normal / t.online : null,
        value: t.reporting > 0 ? t.sum / t.reporting : null,
        activeAlarms: t.activeAlarms,
        criticalAlarms: t.criticalAlarms,
      };
    });
    const units: LiveUnitLoad[] = (children.length > 0 ? children.map((c) => c.code) : [scope]).map(
      (code) => {
        const u = board.of(code);
        return {
          code,
          activeAlarms: u.domains.reduce((n, d) => n + d.activeAlarms, 0),
          criticalAlarms: u.domains.reduce((n, d) => n + d.criticalAlarms, 0),
          abnormal: u.abnormal,
        };
      },
    );
    return {
      type: 'vitals',
      seq,
      at: this.clock(),
      scope,
      readingsPerMinute: Math.round(tally.readingsPerMinute),
      domains,
      units,
      sample,
    };
  }

  private send(c: LiveConnection, message: ServerMessage): void {
    if (c.socket.readyState === OPEN) c.socket.send(JSON.stringify(message));
  }
}
