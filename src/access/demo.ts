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

/** Creates the demo users that do not exist yet. */
export async function ensureDemoUsers(
  access: AccessService,
  exists: (username: string) => Promise<boolean>,
): Promise<void> {
  for (const demo of DEMO_USERS) {
    if (await exists(demo.username)) continue;
    await access.createUser({
      username: demo.username,
      password: demo.password,
      role: demo.role,
      scope: demo.scope,
      department: demo.department ?? null,
    });
  }
}
