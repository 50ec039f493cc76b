import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import { subtreeVisibility, type Visibility } from '../jurisdictions/visibility.js';
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

/** The visibility of a principal over the jurisdiction tree. */
export function visibilityOf(principal: Principal | null, tree: JurisdictionTree): Visibility {
  return subtreeVisibility(principal?.scope ?? null, tree);
}
