import { randomUUID } from 'node:crypto';
import { MIN_PASSWORD_LENGTH } from '../config.js';
import { AppError } from '../errors.js';
import type { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import type { AccessRepository, KeyRecord, UserRecord } from './access.repository.js';
import type { AccessEvent } from './access.events.js';
import { DEMO_USERS, isDemoUsername } from './demo.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';
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

/** Token lifetimes (access tokens are short so that a stolen one is of little use) and the sign-in limit. */
export interface AccessOptions {
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** Wrong passwords in a row that lock an account. */
  loginMaxFailures: number;
  /** How long a lock lasts; 0 keeps it until an administrator unlocks the account. */
  loginLockMinutes: number;
}

// A lock without an end: the latest instant both engines store.
const UNTIL_UNLOCKED = '9999-12-31T23:59:59.999Z';
const DEMO_PASSWORDS = DEMO_USERS.map((u) => u.password);

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
    private readonly publish: (events: AccessEvent[]) => Promise<void>,
  ) {}

  /**
   * Builds the service with the configured signing secret (CITYOPS_JWT_SECRET), or else the one
   * stored in the database, created once and race-safely, shared by every cityops process.
   */
  static async create(deps: {
    repository: AccessRepository;
    tree: () => JurisdictionTree;
    options?: Partial<AccessOptions>;
    /** A signing secret from outside the database; its UTF-8 bytes are the HS256 key. */
    secret?: string | undefined;
    /** Where key revocations and account locks go (the event bus); default: nowhere. */
    publish?: (events: AccessEvent[]) => Promise<void>;
    clock?: () => Date;
  }): Promise<AccessService> {
    const key =
      deps.secret !== undefined
        ? Buffer.from(deps.secret, 'utf8')
        : Buffer.from(await deps.repository.settingOrInsert('token_secret', randomSecret()), 'base64url');
    const options: AccessOptions = {
      accessTtlSeconds: 15 * 60,
      refreshTtlSeconds: 7 * 24 * 3600,
      loginMaxFailures: 10,
      loginLockMinutes: 15,
      ...deps.options,
    };
    return new AccessService(
      deps.repository,
      deps.tree,
      new TokenSigner(key, options.accessTtlSeconds),
      options,
      deps.clock ?? (() => new Date()),
      deps.publish ?? (async () => {}),
    );
  }

  /**
   * Creates a user after checking role, scope level, department and password. Only demo mode's
   * own seeding (`demo: true`) may use the demo usernames and their published passwords.
   */
  async createUser(input: NewUser, how: { demo?: boolean } = {}): Promise<UserRecord> {
    const invalid = (message: string) => new AppError('INVALID_USER', message);
    if (!/^[A-Za-z0-9_.@-]{3,64}$/.test(input.username)) {
      throw invalid('A username is 3–64 letters, digits or _ . @ -.');
    }
    if (!how.demo) {
      if (isDemoUsername(input.username)) throw invalid(`"${input.username}" is reserved for demo mode.`);
      const problem = passwordProblem(input.password, {
        username: input.username,
        minLength: MIN_PASSWORD_LENGTH,
        published: DEMO_PASSWORDS,
      });
      if (problem) throw new AppError('WEAK_PASSWORD', problem);
    }
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
      failedLogins: 0,
      lockedUntil: null,
    };
    await this.repository.insertUser(user);
    return user;
  }

  /**
   * Checks a password and opens a session. Unknown user and wrong password answer alike; after
   * `loginMaxFailures` wrong passwords in a row the account answers ACCOUNT_LOCKED until the lock
   * ends or an administrator lifts it (the per-address limit of the route still applies).
   */
  async login(username: string, password: string): Promise<{ tokens: TokenPair; user: UserRecord }> {
    const user = await this.repository.findUserByUsername(username);
    const now = this.clock();
    if (user?.lockedUntil && new Date(user.lockedUntil) > now) throw lockedError(user.lockedUntil);
    // Hash even for an unknown user so timing does not reveal which usernames exist.
    const ok = user
      ? await verifyPassword(password, user.passwordHash)
      : (await verifyPassword(password, DUMMY_HASH), false);
    if (user && !ok) await this.countFailure(user, now);
    if (!user || !ok || user.disabled) throw new AppError('INVALID_CREDENTIALS');
    // Attempts run concurrently (the scrypt check takes tens of ms): a lock that another attempt
    // set while this one was checking still holds, and a right guess must not lift it. One
    // indexed read per sign-in, beside the scrypt hash, buys that.
    const fresh = await this.repository.findUserById(user.id);
    if (!fresh || fresh.disabled) throw new AppError('INVALID_CREDENTIALS');
    if (fresh.lockedUntil && new Date(fresh.lockedUntil) > now) throw lockedError(fresh.lockedUntil);
    if (fresh.failedLogins > 0 || fresh.lockedUntil) await this.repository.clearLoginFailures(user.id);
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

  private async countFailure(user: UserRecord, now: Date): Promise<void> {
    const failures = await this.repository.recordLoginFailure(user.id);
    if (failures < this.options.loginMaxFailures) return;
    const minutes = this.options.loginLockMinutes;
    const until = minutes === 0 ? UNTIL_UNLOCKED : new Date(now.getTime() + minutes * 60_000).toISOString();
    await this.repository.lockUser(user.id, until);
    await this.publish([
      {
        type: 'account.locked',
        userId: user.id,
        username: user.username,
        failures,
        until,
        at: now.toISOString(),
      },
    ]);
    throw lockedError(until);
  }

  /** Lifts a sign-in lock (and forgets the wrong passwords counted so far). */
  async unlockUser(id: string): Promise<UserRecord> {
    const user = await this.repository.findUserById(id);
    if (!user || !(await this.repository.clearLoginFailures(id))) throw new AppError('USER_NOT_FOUND');
    await this.publish([
      { type: 'account.unlocked', userId: id, username: user.username, at: this.clock().toISOString() },
    ]);
    return { ...user, failedLogins: 0, lockedUntil: null };
  }

  /** Disables (ending every session at once) or re-enables an account. */
  async setUserDisabled(id: string, disabled: boolean): Promise<void> {
    if (!(await this.repository.setUserDisabled(id, disabled))) throw new AppError('USER_NOT_FOUND');
    if (disabled) await this.repository.revokeUserSessions(id, this.clock().toISOString());
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

  /** Revokes a key at once, and tells the bus so that open connections using it (MQTT) are dropped. */
  async revokeKey(id: string): Promise<void> {
    const at = this.clock().toISOString();
    if (!(await this.repository.revokeKey(id, at))) throw new AppError('KEY_NOT_FOUND');
    await this.publish([{ type: 'key.revoked', keyId: id, at }]);
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

function lockedError(until: string): AppError {
  return new AppError(
    'ACCOUNT_LOCKED',
    until === UNTIL_UNLOCKED
      ? 'Too many wrong passwords: this account is locked until an administrator unlocks it.'
      : `Too many wrong passwords: this account is locked until ${until}, or until an administrator unlocks it.`,
    { lockedUntil: until === UNTIL_UNLOCKED ? null : until },
  );
}

// A valid hash of a random password: verifying against it costs what a real check costs.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
