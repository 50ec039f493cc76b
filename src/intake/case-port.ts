import type { Visibility } from '../jurisdictions/visibility.js';
import type { CaseIntake } from '../cases/case-intake.js';

/**
 * What the intake adapters need from the cases domain, narrowed to one small port so that each
 * adapter can be tested against a fake and app.ts wires the real CaseService in one place.
 */
export interface CasePort extends CaseIntake {
  /** The public view of a case (any visibility: callers decide what to show), or null. */
  view(caseId: string): Promise<CaseView | null>;
  /** Enabled categories, for the Open311 service list. */
  categories(): Promise<CategoryView[]>;
  /** Public replies written with from ≤ at < to, oldest first, at most `limit` (servicerequestupdates). */
  publicUpdates(from: number, to: number, limit: number): Promise<PublicUpdate[]>;
  /** A citizen's follow-up on a case, kept as a private comment for the staff; returns its seq. */
  comment(caseId: string, note: string, by: string, visible: Visibility): Promise<number>;
}

/** One entry of a case's public timeline: a status change or a public reply, never a staff note. */
export interface PublicEntry {
  /** The audit link's seq: a stable id. */
  seq: number;
  at: number;
  /** The case status after the entry. */
  status: string;
  open: boolean;
  /** The public reply (公开回复), or null. */
  note: string | null;
}

/** A public reply and every case it speaks for (its own, and the cases merged into it). */
export interface PublicUpdate extends PublicEntry {
  caseIds: string[];
}

/** A case as the intake adapters show it (Open311) or check it (camera links). */
export interface CaseView {
  id: string;
  /** The case status (case-lifecycle.ts). */
  status: string;
  /** Not closed, cancelled or merged: new reports may still attach. */
  open: boolean;
  /** The responsible department, readable (e.g. 北碚区水务局), or null before dispatch. */
  agency: string | null;
  /** Expected closure (epoch ms), from the stage limits: Open311 expected_datetime. */
  expectedAt: number | null;
  /** The latest public reply (公开回复) on the case, for Open311 status_notes; staff notes never. */
  notes: string | null;
  /** Status changes and public replies, oldest first (Open311 extensions). */
  timeline: PublicEntry[];
  reportedAt: number;
  updatedAt: number;
}

/** A category of the case catalog, as the intake adapters list it. */
export interface CategoryView {
  code: string;
  kind: 'component' | 'event';
  group: string;
  zh: string;
  en: string;
  priority: string;
  /** Offered to citizens (Open311). */
  citizenReportable: boolean;
}

/** A fixed visibility type re-exported for adapters that report on the system's behalf. */
export type { Visibility };
