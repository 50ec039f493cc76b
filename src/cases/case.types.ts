import type { CategoryKind, HandlingLevel, Stage } from './case-catalog.js';
import type { Priority, ReportSource } from './case-intake.js';
import type { CaseStatus } from './case-lifecycle.js';

/**
 * The case domain's stored records. Times are epoch milliseconds inside the domain; the presenter
 * turns them into ISO-8601.
 */

/** Why a case went to its department: the routing decision, kept with the case. */
export interface RoutingReason {
  /** The routing-table row that decided, or null when the category's defaults did. */
  rule: string | null;
  category: string;
  priority: Priority;
  level: HandlingLevel;
  departmentType: string;
  /** The unit the department belongs to (a township, a county, or the city root). */
  unit: string;
  /** One sentence, zh and en. */
  text: string;
}

/** A pending extension request (延期申请). */
export interface ExtensionRequest {
  minutes: number;
  by: string;
  at: number;
  note: string | null;
}

/** A case (案件) as stored. */
export interface CaseRecord {
  id: string;
  status: CaseStatus;
  category: string;
  kind: CategoryKind;
  priority: Priority;
  description: string;
  address: string | null;
  /** WGS84; null (with lat) for a case reported by address alone (待定位, needs location). */
  lon: number | null;
  lat: number | null;
  provinceCode: string;
  countyCode: string;
  townshipCode: string;
  /** The department responsible (type at unit); null before routing. */
  departmentType: string | null;
  departmentUnit: string | null;
  level: HandlingLevel;
  routing: RoutingReason | null;
  /** How many levels overdue escalation (督办) has raised it: 0 none, 1 one up, 2 two up. */
  escalation: number;
  source: ReportSource;
  reporter: string | null;
  occurrences: number;
  reportedAt: number;
  /** Last time a report (occurrence) came in; de-duplication windows count from here. */
  lastReportedAt: number;
  registeredAt: number | null;
  closedAt: number | null;
  updatedAt: number;
  /** The timed stage it is in, or null when none runs (closed, cancelled, suspended, merged). */
  stage: Stage | null;
  stageStartedAt: number;
  stageDeadline: number | null;
  /** Expected time of closure (Open311 expected_datetime): all stage limits plus extensions. */
  dueAt: number;
  /** When the escalation job should look at it next; null when there is nothing to escalate. */
  nextEscalationAt: number | null;
  overdue: boolean;
  reworkCount: number;
  extensionCount: number;
  extension: ExtensionRequest | null;
  /** The status a suspended (挂账) case resumes to. */
  suspendedFrom: CaseStatus | null;
  mergedInto: string | null;
  /** Incremented on every write: optimistic concurrency. */
  version: number;
}

/** One report attached to a case (a de-duplicated occurrence keeps its own source record). */
export interface OccurrenceRecord {
  id: string;
  caseId: string;
  source: ReportSource;
  sourceRef: string;
  /** Null when the report gave an address and no point. */
  lon: number | null;
  lat: number | null;
  description: string;
  reporter: string | null;
  reportedAt: number;
  attachments: string[];
  raw: unknown;
}

/** One entry of the case log, which is also the audit chain (审计链). */
export interface CaseEventRecord {
  /** Position in the audit chain, from 1. */
  seq: number;
  caseId: string;
  action: string;
  from: CaseStatus | null;
  to: CaseStatus;
  at: number;
  actor: string;
  /** The staff's note: private, never shown to the public (Open311). */
  note: string | null;
  /**
   * A reply written for the public on purpose (公开回复): the only text Open311 shows
   * (status_notes, servicerequestupdates). Null on most events, and on every event before 0010.
   */
  publicNote: string | null;
  attachments: string[];
  /** Action details: routing reason, department, extension minutes, merged ids… */
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** A case event before the chain has given it its place and hashes. */
export type NewCaseEvent = Omit<CaseEventRecord, 'seq' | 'prevHash' | 'hash' | 'publicNote'> & {
  /** Absent: no public reply (most events). */
  publicNote?: string | null | undefined;
};

/** The time one stage took, recorded when it ends (for mean and p90 per stage). */
export interface StageTime {
  stage: Stage;
  ms: number;
}
