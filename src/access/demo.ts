import type { AccessService } from './access.service.js';
import type { Role } from './roles.js';

/** A well-known demo account (demo mode only; documented in the README and on the sign-in page). */
export interface DemoUser {
  username: string;
  password: string;
  role: Role;
  scope: string;
  department?: string;
  label: string;
}

/** One demo user per level: the city center, two district centers, a street center, a department, a viewer. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'demo-city',
    password: 'demo-city-2026',
    role: 'city_commander',
    scope: '50',
    label: '重庆市 市级指挥长',
  },
  {
    username: 'demo-beibei',
    password: 'demo-beibei-2026',
    role: 'county_commander',
    scope: '500109',
    label: '北碚区 区县指挥长',
  },
  {
    username: 'demo-yuzhong',
    password: 'demo-yuzhong-2026',
    role: 'county_commander',
    scope: '500103',
    label: '渝中区 区县指挥长',
  },
  {
    username: 'demo-tiansheng',
    password: 'demo-tiansheng-2026',
    role: 'township_operator',
    scope: '500109001',
    label: '北碚区天生街道 镇街值班员',
  },
  {
    username: 'demo-water',
    password: 'demo-water-2026',
    role: 'department_handler',
    scope: '500109',
    department: 'water',
    label: '北碚区 水务部门处置员',
  },
  {
    username: 'demo-viewer',
    password: 'demo-viewer-2026',
    role: 'viewer',
    scope: '50',
    label: '重庆市 只读用户',
  },
];

/** Whether `username` belongs to a demo account (reserved: no one else may take it). */
export function isDemoUsername(username: string): boolean {
  return DEMO_USERS.some((u) => u.username === username);
}

/**
 * Brings the demo accounts in line with demo mode: on, they are created (or re-enabled); off, the
 * ones a past demo run left are disabled and their sessions ended, because their passwords are
 * published. Returns how many accounts it created, enabled or disabled.
 */
export async function syncDemoUsers(
  access: Pick<AccessService, 'createUser' | 'setUserDisabled'>,
  find: (username: string) => Promise<{ id: string; disabled: boolean } | undefined>,
  demo: boolean,
): Promise<number> {
  let changed = 0;
  for (const user of DEMO_USERS) {
    const found = await find(user.username);
    if (!found && demo) {
      await access.createUser(
        {
          username: user.username,
          password: user.password,
          role: user.role,
          scope: user.scope,
          department: user.department ?? null,
        },
        { demo: true },
      );
      changed++;
    } else if (found && found.disabled === demo) {
      await access.setUserDisabled(found.id, !demo);
      changed++;
    }
  }
  return changed;
}

/**
 * Why demo accounts may not run on this address, as one line saying what to do instead, or null.
 * Their passwords are in the README, so anyone who can reach the server could sign in with them.
 */
export function demoExposureProblem(options: {
  host: string;
  loopback: boolean;
  /** CITYOPS_TRUST_PROXY is set: a proxy brings other machines' requests to this address. */
  behindProxy?: boolean;
  demo: boolean;
  simTurnsDemoOn: boolean;
}): string | null {
  if (options.loopback || !(options.demo || options.simTurnsDemoOn)) return null;
  const why = options.demo
    ? 'CITYOPS_DEMO=on'
    : 'the simulator turns demo mode on (CITYOPS_SIM is on and CITYOPS_DEMO is unset)';
  const where = options.behindProxy
    ? `HOST=${options.host} behind a reverse proxy (CITYOPS_TRUST_PROXY is set)`
    : `HOST=${options.host}`;
  return (
    `demo accounts refused on ${where}: ${why}, and demo passwords are published in the README, ` +
    'so anyone who can reach this address could sign in. Set CITYOPS_DEMO=off (the simulator still runs, without ' +
    `demo accounts), or keep HOST=127.0.0.1${options.behindProxy ? ' without CITYOPS_TRUST_PROXY' : ''} to run the ` +
    'simulator with demo accounts on this machine only.'
  );
}
