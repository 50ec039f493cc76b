import type { Visibility } from '../jurisdictions/visibility.js';
import { subject } from '../platform/bus/event-bus.js';

/**
 * The one entry point every case source uses (alarms, AI cameras, Open311, operators, the 12345
 * hotline): an adapter turns its own record into an IncomingReport and calls
 * `CaseService.report(report, visible)`. The service de-duplicates it onto an open case or opens a
 * new one, routes it (派遣) and records the raw record verbatim as an occurrence.
 */

/** Where a report came from. */
export const REPORT_SOURCES = ['alarm', 'camera', 'open311', 'operator', 'hotline'] as const;
/** One report source. */
export type ReportSource = (typeof REPORT_SOURCES)[number];

/** Case priorities, most pressing first. */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
/** One priority. */
export type Priority = (typeof PRIORITIES)[number];

/** A report from any source, before it becomes (or joins) a case. */
export interface IncomingReport {
  source: ReportSource;
  /** The source's own id: alarm id, detection id, Open311 request id, hotline record no. */
  sourceRef: string;
  /** A category code from the catalog (GET /api/v1/cases/categories). */
  category: string;
  /**
   * WGS84. Both null: the report names a place (`address`, required then) but no point; the case
   * opens in the reporter's scope, flagged 待定位 (needs location), and skips de-duplication.
   */
  lon: number | null;
  lat: number | null;
  address?: string | undefined;
  description: string;
  /** Epoch milliseconds. */
  reportedAt: number;
  reporter?: string | undefined;
  /** Defaults to the category's priority. */
  priority?: Priority | undefined;
  /** URLs, e.g. a camera snapshot. */
  attachments?: string[] | undefined;
  /** The source record, stored verbatim. */
  raw: unknown;
}

/** What became of a report. */
export interface ReportOutcome {
  caseId: string;
  /** True when the report was de-duplicated onto an already open case. */
  attached: boolean;
  /** The case's status after the report (see case-lifecycle.ts). */
  status: string;
}

/** The part of CaseService that sources need: adapters depend on this, not on the whole service. */
export interface CaseIntake {
  /**
   * Opens a case for the report or attaches it to an open one of the same category nearby.
   * Throws AppError UNKNOWN_CASE_CATEGORY, OUTSIDE_JURISDICTION (point outside the city or the
   * caller's visibility) or INVALID_CASE.
   */
  report(report: IncomingReport, visible: Visibility): Promise<ReportOutcome>;
}

/** One change to a case, as published on the bus (`cases.events`) and kept in the audit log. */
export interface CaseEvent {
  caseId: string;
  /** The lifecycle action (`report`, `register`, `dispatch`, …) or `occurrence`, `escalate`, `merge`, `split`. */
  action: string;
  from: string | null;
  to: string;
  /** Epoch milliseconds. */
  at: number;
  actor: string;
  township: string;
  county: string;
  category: string;
  /** The case's own priority (it may differ from its category's); null if the case is unknown. */
  priority: 'urgent' | 'high' | 'normal' | 'low' | null;
  department: string | null;
  note: string | null;
}

/** Case changes for the live dashboard and other domains. */
export const CASE_EVENTS = subject<CaseEvent>('cases.events');

/** Case deadlines passed (超期), one event per escalation, for notifications. */
export const CASE_OVERDUE = subject<CaseEvent>('cases.overdue');
