import type { JurisdictionTree } from './jurisdiction-tree.js';

/**
 * What a caller may see, for services: `contains(code)` is true for units inside the scope.
 * Visibility is a subtree of the jurisdiction tree, so it lives here; access/ derives a
 * principal's visibility from its scope, and services take a Visibility instead of a Principal so
 * they need not know about authentication.
 */
export interface Visibility {
  /** Root of the visible subtree, or null for everything. */
  readonly root: string | null;
  contains(code: string | null | undefined): boolean;
}

/** Everything is visible: for internal callers (jobs, the simulator, the CLI). */
export const EVERYTHING: Visibility = { root: null, contains: () => true };

/** The subtree of `tree` under `root` (null: everything). */
export function subtreeVisibility(root: string | null, tree: JurisdictionTree): Visibility {
  if (root === null) return EVERYTHING;
  return { root, contains: (code) => code !== null && code !== undefined && tree.isWithin(code, root) };
}
