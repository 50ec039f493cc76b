/**
 * The live feed's wire protocol (`/api/v1/live`), shared by the server and the dashboard.
 *
 * This file imports nothing on purpose: the dashboard (web/) type-checks it under its own
 * browser-only settings, so it must not pull server modules in. Times are epoch milliseconds.
 * The protocol is described in docs/dashboard.md.
 */

/** The subprotocol a client asks for and the server selects. */
export const LIVE_PROTOCOL = 'cityops.live.v1';

/**
 * Browsers cannot set headers on a WebSocket, so the access token travels as a second offered
 * subprotocol `cityops.bearer.<token>` (never selected, never echoed, not part of the URL that
 * proxies log). A JWT is base64url with dots, which are valid subprotocol characters.
 */
export const BEARER_PROTOCOL_PREFIX = 'cityops.bearer.';

/** Close codes the server uses; the client reacts to each differently. */
export const LIVE_CLOSE = {
  /** The session ended or the token expired: refresh the token, then reconnect and resume. */
  unauthenticated: 4401,
  /** The role may not read the feed: do not retry. */
  forbidden: 4403,
  /** The client read too slowly: reconnect and resume (or refetch if told to reset). */
  tooSlow: 4008,
  /** The server is shutting down: reconnect with backoff. */
  goingAway: 1001,
} as const;

/** Alarm severities, lowest first (as in the alarm domain). */
export type LiveSeverity = 'warning' | 'minor' | 'major' | 'critical';

/** An alarm as the feed carries it: what a ticker and an alarm list need, no more. */
export interface LiveAlarm {
  id: number;
  severity: LiveSeverity;
  state: 'active' | 'acknowledged' | 'cleared';
  domain: string;
  message: string;
  ruleName: string;
  sensorId: string | null;
  value: number | null;
  raisedAt: number;
}

interface LiveEventBase {
  /** Position in the feed: increasing by one per event across all topics, per server process. */
  seq: number;
  /** Epoch ms the change was made. */
  at: number;
  /** Finest unit (township, else county) and its county: what scope filtering works on. */
  township: string;
  county: string;
  /** Human-readable place, e.g. `北碚区 天生街道`. */
  place: string;
  /** Stands out on the wall: a critical alarm, an urgent case, a case that went overdue. */
  critical: boolean;
}

/** An alarm change (`alarms.events`). */
export interface LiveAlarmEvent extends LiveEventBase {
  topic: 'alarm';
  type: 'raised' | 'updated' | 'escalated' | 'acknowledged' | 'cleared' | 'commented';
  by: string | null;
  alarm: LiveAlarm;
}

/** A case change (`cases.events`): a new case is action `report` with `from` null. */
export interface LiveCaseEvent extends LiveEventBase {
  topic: 'case';
  caseId: string;
  action: string;
  from: string | null;
  to: string;
  actor: string;
  category: string;
  categoryName: string;
  categoryNameEn: string;
  /** The case's priority (its category's when the event did not say). */
  priority: 'urgent' | 'high' | 'normal' | 'low' | null;
  department: string | null;
  note: string | null;
}

/** One event of the feed. */
export type LiveEvent = LiveAlarmEvent | LiveCaseEvent;

/** One vital-sign domain of a scope, right now. */
export interface LiveDomainFigure {
  domain: string;
  sensors: number;
  online: number;
  /** Share of online sensors reading within their normal range; null with none online. */
  normalShare: number | null;
  /** Average of the domain's headline type's latest readings (null when none reports). */
  value: number | null;
  activeAlarms: number;
  criticalAlarms: number;
}

/** Live load of one unit one level down (the map's shading). */
export interface LiveUnitLoad {
  code: string;
  activeAlarms: number;
  criticalAlarms: number;
  abnormal: number;
}

/** Sent on connect: where the feed stands and whether the client's position could be resumed. */
export interface HelloMessage {
  type: 'hello';
  epoch: string;
  seq: number;
  scope: string;
  /** False when the client gave a position the feed no longer holds (or another process's): refetch. */
  resumed: boolean;
}

/** New events matching the connection's scope; `seq` is the feed position the client is now at. */
export interface EventsMessage {
  type: 'events';
  seq: number;
  events: LiveEvent[];
}

/** Per-domain summary of the scope at a modest rate (every few seconds), instead of every reading. */
export interface VitalsMessage {
  type: 'vitals';
  seq: number;
  at: number;
  scope: string;
  readingsPerMinute: number;
  domains: LiveDomainFigure[];
  units: LiveUnitLoad[];
  /** True when this summary is also a new point of the sparkline history. */
  sample: boolean;
}

/** The feed lost the client's position while it was connected (it read too slowly): refetch. */
export interface ResetMessage {
  type: 'reset';
  seq: number;
}

/** Answer to a `view` request. */
export interface ViewMessage {
  type: 'view';
  scope: string;
  seq: number;
}

/** A request the server refused, with a catalog code. */
export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
}

/** Everything the server sends. */
export type ServerMessage =
  HelloMessage | EventsMessage | VitalsMessage | ResetMessage | ViewMessage | ErrorMessage;

/** Everything a client sends: switch the scope it watches (the dashboard drilled down or up). */
export interface ClientViewMessage {
  type: 'view';
  scope: string;
}
