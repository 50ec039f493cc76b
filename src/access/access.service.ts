import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { AccessRepository, KeyRecord, UserRecord } from './access.repository.js';
import { hashPassword, verifyPassword } from './password.js';
import type { Principal } from './principal.js';
import {
  KEY_PERMISSIONS,
  ROLE_PERMISSIONS,
  ROLE_SCOPE_LEVEL,
  ROLES,
  type KeyKind,
  type Role,
} from './roles.js';
import { randomSecret, sha256, TokenSigner } from './tokens.js';

/** Token lifetimes. Access tokens are short so that a stolen one is of little use. */
export interface AccessOptions {
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

/** What `login` and `refresh` hand out. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
}

/** A new user's definition. */
export interface NewUser {
  username: string;
  password: string;
  role: Role;
  scope: string | null;
  department?: string | null;
}

/** Authentication and accounts: users, sessions, API keys. Authorization lives in policy.ts. */
export class AccessService {
  private constructor(
    private readonly repository: AccessRepository,
    private readonly tree: () => JurisdictionTree,
    private readonly signer: TokenSigner,
    private readonly options: AccessOptions,
    private readonly clock: () => Date,
  ) {}

  /** Loads (or creates, once, race-safely) the token signing secret shared by every cityops process. */
  static async create(deps: {
    repository: AccessRepository;
    tree: () => JurisdictionTree;
    options?: Partial<AccessOptions>;
    clock?: () => Date;
  }): Promise<AccessService> {
    const secret = await deps.repository.settingOrInsert('token_secret', randomSecret());
    const options = { accessTtlSeconds: 15 * 60, refreshTtlSeconds: 7 * 24 * 3600, ...deps.options };
    return new AccessService(
      deps.repository,
      deps.tree,
      new TokenSigner(secret, options.accessTtlSeconds),
      options,
      deps.clock ?? (() => new Date()),
    );
  }

  /** Creates a user after checking role, scope level and department. */
  async createUser(input: NewUser): Promise<UserRecord> {
    const invalid = (message: string) => new AppError('INVALID_USER', message);
    if (!/^[A-Za-z0-9_.@-]{3,64}$/.test(input.username)) {
      throw invalid('A username is 3–64 letters, digits or _ . @ -.');
    }
    if (input.password.length < 8) throw invalid('A password has at least 8 characters.');
    if (!ROLES.includes(input.role)) {
      throw invalid(`Unknown role "${input.role}"; one of ${ROLES.join(', ')}.`);
    }
    if (input.scope === null) {
      if (input.role !== 'admin') throw invalid('Every role but admin needs a jurisdiction scope.');
    } else {
      const unit = this.tree().get(input.scope);
      if (!unit) throw invalid(`No jurisdiction has the code "${input.scope}".`);
      const level = ROLE_SCOPE_LEVEL[input.role];
      if (level && unit.level !== level) {
        throw invalid(`A ${input.role} works at ${level} level; "${input.scope}" is a ${unit.level}.`);
      }
    }
    const department = input.department?.trim() || null;
    if (input.role === 'department_handler' && !department) {
      throw invalid('A department handler needs a department.');
    }
    const user: UserRecord = {
      id: randomUUID(),
      username: input.username,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      scope: input.scope,
      department,
      disabled: false,
      createdAt: this.clock().toISOString(),
    };
    await this.repository.insertUser(user);
    return user;
  }

  /** Checks a password and opens a session. Unknown user and wrong password answer alike. */
  async login(username: string, password: string): Promise<{ tokens: TokenPair; user: UserRecord }> {
    const user = await this.repository.findUserByUsername(username);
    // Hash even for an unknown user so timing does not reveal which usernames exist.
    const ok = user
      ? await verifyPassword(password, user.passwordHash)
      : (await verifyPassword(password, DUMMY_HASH), false);
    if (!user || !ok || user.disabled) throw new AppError('INVALID_CREDENTIALS');
    const now = this.clock();
    const sessionId = randomUUID();
    const refreshToken = `cor_${randomSecret()}`;
    await this.repository.insertSession({
      id: sessionId,
      userId: user.id,
      refreshHash: sha256(refreshToken),
      expiresAt: new Date(now.getTime() + this.options.refreshTtlSeconds * 1000).toISOString(),
      revokedAt: null,
      createdAt: now.toISOString(),
    });
    return { tokens: await this.pair(user.id, sessionId, refreshToken, now), user };
  }

  /** Exchanges a refresh token for a new pair (the old refresh token stops working). */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.clock();
    const session = await this.repository.findSessionByRefreshHash(sha256(refreshToken));
    if (!session || session.revokedAt || new Date(session.expiresAt) <= now) {
      throw new AppError('INVALID_REFRESH_TOKEN');
    }
    const user = await this.repository.findUserById(session.userId);
    if (!user || user.disabled) throw new AppError('INVALID_REFRESH_TOKEN');
    const next = `cor_${randomSecret()}`;
    const expiresAt = new Date(now.getTime() + this.options.refreshTtlSeconds * 1000).toISOString();
    if (!(await this.repository.rotateRefresh(session.id, sha256(next), expiresAt))) {
      throw new AppError('INVALID_REFRESH_TOKEN');
    }
    return this.pair(user.id, session.id, next, now);
  }

  /** Ends a session at once: its access and refresh tokens stop working on the next request. */
  async logout(sessionId: string): Promise<void> {
    await this.repository.revokeSession(sessionId, this.clock().toISOString());
  }

  /** Creates an API key; the secret is returned once and only its hash is kept. */
  async createKey(input: {
    kind: KeyKind;
    label: string;
    scope: string | null;
  }): Promise<{ key: string; record: KeyRecord }> {
    if (input.scope !== null && !this.tree().get(input.scope)) {
      throw new AppError('INVALID_JURISDICTION', `No jurisdiction has the code "${input.scope}".`);
    }
    const key = `cok_${input.kind}_${randomSecret()}`;
    const record: KeyRecord = {
      id: randomUUID(),
      kind: input.kind,
      label: input.label.trim() || input.kind,
      prefix: key.slice(0, 16),
      hash: sha256(key),
      scope: input.scope,
      createdAt: this.clock().toISOString(),
      revokedAt: null,
    };
    await this.repository.insertKey(record);
    return { key, record };
  }

  /** Revokes a key at once. */
  async revokeKey(id: string): Promise<void> {
    if (!(await this.repository.revokeKey(id, this.clock().toISOString()))) {
      throw new AppError('KEY_NOT_FOUND');
    }
  }

  /** The caller behind a bearer token or API key, or null when there is none or it is not valid. */
  async authenticate(credentials: {
    bearer?: string | undefined;
    apiKey?: string | undefined;
  }): Promise<Principal | null> {
    if (credentials.apiKey) return this.fromKey(credentials.apiKey);
    if (credentials.bearer) return this.fromToken(credentials.bearer);
    return null;
  }

  private async fromToken(token: string): Promise<Principal | null> {
    const now = this.clock();
    const claims = await this.signer.verify(token, now);
    if (!claims) return null;
    // Checked on every request so that logout and disabling take effect at once.
    const session = await this.repository.findSession(claims.sessionId);
    if (!session || session.revokedAt || session.userId !== claims.userId) return null;
    const user = await this.repository.findUserById(claims.userId);
    if (!user || user.disabled) return null;
    return userPrincipal(user, session.id);
  }

  private async fromKey(key: string): Promise<Principal | null> {
    const record = await this.repository.findKeyByHash(sha256(key));
    if (!record || record.revokedAt) return null;
    return {
      kind: 'key',
      id: record.id,
      name: record.label,
      role: record.kind,
      scope: record.scope,
      department: null,
      permissions: new Set(KEY_PERMISSIONS[record.kind]),
    };
  }

  private async pair(userId: string, sessionId: string, refreshToken: string, now: Date): Promise<TokenPair> {
    return {
      accessToken: await this.signer.sign(userId, sessionId, now),
      refreshToken,
      expiresIn: this.options.accessTtlSeconds,
      sessionId,
    };
  }
}

/** The principal of a signed-in user. */
export function userPrincipal(user: UserRecord, sessionId?: string): Principal {
  return {
    kind: 'user',
    id: user.id,
    name: user.username,
    role: user.role,
    scope: user.scope,
    department: user.department,
    permissions: new Set(ROLE_PERMISSIONS[user.role]),
    ...(sessionId ? { sessionId } : {}),
  };
}

// A valid hash of a random password: verifying against it costs what a real check costs.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
