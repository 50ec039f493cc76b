import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { KeyKind, Permission, Role } from './roles.js';

/** Who is calling: a signed-in user or an API key, with what it may do and where. */
export interface Principal {
  kind: 'user' | 'key';
  id: string;
  /** Username, or the key's label. */
  name: string;
  role: Role | KeyKind;
  /** Root of the jurisdiction subtree it works in; null means everywhere (administrators). */
  scope: string | null;
  department: string | null;
  permissions: ReadonlySet<Permission>;
  /** Session id for users (logout revokes it); undefined for keys. */
  sessionId?: string;
}

/**
 * What a caller may see, for services: `contains(code)` is true for units inside the scope.
 * Services take a Visibility instead of a Principal so they need not know about authentication.
 */
export interface Visibility {
  /** Root of the visible subtree, or null for everything. */
  readonly root: string | null;
  contains(code: string | null | undefined): boolean;
}

/** Everything is visible: for internal callers (jobs, the simulator, the CLI). */
export const EVERYTHING: Visibility = { root: null, contains: () => true };

/** The visibility of a principal over the jurisdiction tree. */
export function visibilityOf(principal: Principal | null, tree: JurisdictionTree): Visibility {
  const root = principal?.scope ?? null;
  if (root === null) return EVERYTHING;
  return { root, contains: (code) => code !== null && code !== undefined && tree.isWithin(code, root) };
}
