import type { Visibility } from '../access/principal.js';
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
  /** The latest note of the case's timeline, for Open311 status_notes. */
  notes: string | null;
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
