import type { Level } from '../jurisdictions/geo.types.js';

/** Every permission a route can require. Later domains add theirs here. */
export const PERMISSIONS = [
  'jurisdictions:read',
  'jurisdictions:manage',
  'sensors:read',
  'sensors:write',
  'telemetry:read',
  'telemetry:ingest',
  'alarms:read',
  'alarms:write',
  'cases:read',
  'cases:write',
  'detections:ingest',
  'open311:submit',
  'users:manage',
  'keys:manage',
  'metrics:read',
] as const;
/** A permission name. */
export type Permission = (typeof PERMISSIONS)[number];

/** User roles: one city center, district-level centers, town/street centers, departments. */
export const ROLES = [
  'admin',
  'city_commander',
  'county_commander',
  'township_operator',
  'department_handler',
  'viewer',
] as const;
/** A user role. */
export type Role = (typeof ROLES)[number];

/** Kinds of API key: devices and gateways push telemetry, cameras push detections, Open311 apps file reports. */
export const KEY_KINDS = ['device', 'camera', 'open311'] as const;
/** An API key kind. */
export type KeyKind = (typeof KEY_KINDS)[number];

const READ: Permission[] = [
  'jurisdictions:read',
  'sensors:read',
  'telemetry:read',
  'alarms:read',
  'cases:read',
];
const OPERATE: Permission[] = [...READ, 'alarms:write', 'cases:write'];

/** What each role may do (inside its jurisdiction; scope is checked separately). */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  city_commander: [...OPERATE, 'sensors:write'],
  county_commander: [...OPERATE, 'sensors:write'],
  township_operator: OPERATE,
  // Handlers act on the cases assigned to their department; the cases domain narrows that further.
  department_handler: [
    'jurisdictions:read',
    'sensors:read',
    'telemetry:read',
    'alarms:read',
    'cases:read',
    'cases:write',
  ],
  viewer: READ,
};

/** What each key kind may do. */
export const KEY_PERMISSIONS: Record<KeyKind, readonly Permission[]> = {
  device: ['telemetry:ingest'],
  camera: ['detections:ingest'],
  open311: ['open311:submit'],
};

/** The level a role's scope must be at (undefined: any level). Names: 市 / 区县 / 镇街 centers. */
export const ROLE_SCOPE_LEVEL: Partial<Record<Role, Level>> = {
  city_commander: 'province',
  county_commander: 'county',
  township_operator: 'township',
};

/** zh-CN and English names of roles, for the CLI and the dashboard. */
export const ROLE_NAMES: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  city_commander: { zh: '市级指挥长', en: 'City commander' },
  county_commander: { zh: '区县指挥长', en: 'County commander' },
  township_operator: { zh: '镇街值班员', en: 'Town/street operator' },
  department_handler: { zh: '部门处置员', en: 'Department handler' },
  viewer: { zh: '只读用户', en: 'Viewer' },
};
