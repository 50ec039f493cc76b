import { createHmac } from 'node:crypto';
import { SimTargetError, Session, signIn, type Credential, type SimHttp } from './http-client.js';

/**
 * What the simulator signs in with. Devices, cameras and citizens use API keys of their kind;
 * the command center (指挥中心) and each department type (职能部门) are users — a city commander
 * and one department handler per type, all at city scope — so every case action goes through the
 * same policies a person's would.
 */
export interface SimAccess {
  device: Credential;
  camera: Credential;
  open311Key: string;
  /** The Open311 key's label: it becomes the reporter of the citizens' cases. */
  open311Label: string;
  /** Who registers sensors and cameras (needs sensors:write). */
  registrar: Credential;
  command: Session | null;
  /** Department type → its handler. */
  handlers: Map<string, Session>;
  /** Revokes what this run created (its API keys). */
  release(): Promise<void>;
}

/** A signed-in staff member handed from the server thread to the simulator thread. */
export interface StaffGrant {
  username: string;
  department: string | null;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Everything the in-process simulator is given (plain data, so it crosses to a worker thread). */
export interface AccessGrant {
  deviceKey: string;
  cameraKey: string;
  open311Key: string;
  open311Label: string;
  staff: StaffGrant[];
}

/** Staff usernames of a fleet: `sim-command`, `sim-water`… */
export function staffName(prefix: string, role: string): string {
  return `${prefix.toLowerCase()}-${role}`;
}

/** Labels of the fleet's API keys (at most 64 characters, shown in the key list and as reporters). */
export function keyLabel(prefix: string, kind: 'device' | 'camera' | 'open311'): string {
  const what = {
    device: '模拟传感器 simulated sensors',
    camera: '模拟摄像头 simulated cameras',
    open311: '模拟市民 simulated citizens',
  };
  return `${prefix} ${what[kind]}`;
}

/** Rebuilds sessions from a grant (in the simulator thread). */
export function accessFromGrant(
  grant: AccessGrant,
  release: () => Promise<void> = async () => {},
): SimAccess {
  const sessions = grant.staff.map((s) => ({
    department: s.department,
    session: new Session(s.username, s.accessToken, s.refreshToken, Date.now() + s.expiresIn * 1000),
  }));
  const command = sessions.find((s) => s.department === null)?.session ?? null;
  return {
    device: { key: grant.deviceKey },
    camera: { key: grant.cameraKey },
    open311Key: grant.open311Key,
    open311Label: grant.open311Label,
    registrar: command ? { session: command } : { key: grant.deviceKey },
    command,
    handlers: new Map(sessions.filter((s) => s.department !== null).map((s) => [s.department!, s.session])),
    release,
  };
}

/** How an external run authenticates: an administrator's password or bearer token. */
export type AdminLogin = { username: string; password: string } | { token: string };

/**
 * Sets up access against a separately running server, as an administrator: creates the fleet's
 * three API keys (revoked again by `release`), and — unless `staff` is false — the command and
 * department users, then signs them in. Their password is `staffPassword`, or derived from the
 * administrator's password (HMAC), so a later run signs the same users in again.
 */
export async function externalAccess(
  http: SimHttp,
  options: { admin: AdminLogin; prefix: string; staff: boolean; staffPassword?: string | undefined },
): Promise<SimAccess> {
  const admin =
    'token' in options.admin
      ? new Session('token', options.admin.token, '', Number.POSITIVE_INFINITY)
      : await signIn(http, options.admin.username, options.admin.password);
  const me = await http.send<{ permissions?: string[]; scope?: string | null }>('GET', '/api/v1/auth/me', {
    auth: { session: admin },
  });
  if (me.status !== 200) {
    throw new SimTargetError(`the administrator credentials were refused (HTTP ${me.status})`, me.status);
  }
  const missing = ['keys:manage', 'sensors:write', ...(options.staff ? ['users:manage'] : [])].filter(
    (p) => !(me.body.permissions ?? []).includes(p),
  );
  if (missing.length > 0 || (me.body.scope ?? null) !== null) {
    throw new SimTargetError(
      `the simulator needs an administrator without a scope limit (missing: ${missing.join(', ') || 'city-wide scope'}); sign in as admin`,
    );
  }
  const keyIds: string[] = [];
  const key = async (kind: 'device' | 'camera' | 'open311') => {
    const created = await http.send<{ key: string; record: { id: string } }>('POST', '/api/v1/keys', {
      auth: { session: admin },
      json: { kind, label: keyLabel(options.prefix, kind) },
    });
    if (created.status !== 201) {
      throw new SimTargetError(`creating a ${kind} key failed (HTTP ${created.status})`, created.status);
    }
    keyIds.push(created.body.record.id);
    return created.body.key;
  };
  const [deviceKey, cameraKey, open311Key] = [await key('device'), await key('camera'), await key('open311')];
  const release = async () => {
    for (const id of keyIds) {
      await http
        .send('DELETE', `/api/v1/keys/${id}`, { auth: { session: admin }, retry: false })
        .catch(() => {});
    }
  };
  const access: SimAccess = {
    device: { key: deviceKey },
    camera: { key: cameraKey },
    open311Key,
    open311Label: keyLabel(options.prefix, 'open311'),
    registrar: { session: admin },
    command: null,
    handlers: new Map(),
    release,
  };
  if (!options.staff) return access;
  const secret = options.staffPassword ?? ('password' in options.admin ? options.admin.password : undefined);
  if (secret === undefined) {
    throw new SimTargetError(
      'the simulated departments sign in with passwords: with a token, also set CITYOPS_SIM_STAFF_PASSWORD (or run with --work none)',
    );
  }
  const password = (username: string) =>
    options.staffPassword ??
    `sim-${createHmac('sha256', secret).update(`cityops-sim/${username}`).digest('base64url').slice(0, 24)}`;
  const types = await http.send<{ items: { code: string }[] }>('GET', '/api/v1/cases/department-types', {
    auth: { session: admin },
  });
  const staff: { role: string; department: string | null }[] = [
    { role: 'command', department: null },
    ...(types.body.items ?? []).map((t) => ({ role: t.code, department: t.code })),
  ];
  for (const member of staff) {
    const username = staffName(options.prefix, member.role);
    const created = await http.send('POST', '/api/v1/users', {
      auth: { session: admin },
      json: {
        username,
        password: password(username),
        role: member.department ? 'department_handler' : 'city_commander',
        scope: '50',
        ...(member.department ? { department: member.department } : {}),
      },
    });
    if (created.status !== 201 && created.status !== 409) {
      throw new SimTargetError(
        `creating the user ${username} failed (HTTP ${created.status})`,
        created.status,
      );
    }
    const session = await signIn(http, username, password(username)).catch((error: unknown) => {
      throw new SimTargetError(
        `${(error as Error).message}. ${username} exists with another password: set CITYOPS_SIM_STAFF_PASSWORD to it, or use another --fleet`,
      );
    });
    if (member.department) access.handlers.set(member.department, session);
    else access.command = session;
  }
  return access;
}
