import type { Visibility } from '../jurisdictions/visibility.js';

/** Who is acting: the username (or key label) recorded on what they change. */
export interface Actor {
  name: string;
  visible: Visibility;
}

/** A problem with a rule or a maintenance window, for INVALID_RULE's and INVALID_WINDOW's details. */
export interface Problem {
  field: string;
  message: string;
}

/** The problems in one line, for an error message. */
export const summary = (problems: readonly Problem[]): string =>
  problems.map((p) => `${p.field} ${p.message}`).join('; ');
