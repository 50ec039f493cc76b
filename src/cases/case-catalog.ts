import { PRIORITIES, type Priority } from './case-intake.js';

/**
 * The category catalog (部件和事件分类), after GB/T 30428.2 数字化城市管理信息系统 第2部分 管理部件和事件:
 * components (部件, city property that breaks: manhole covers, street lights…) and events (事件,
 * things that happen: street vending, waterlogging…), grouped in the standard's major classes
 * (大类). Our codes are stable English words; the standard's numeric subclass codes are not
 * reproduced. These are the defaults seeded at first start; the city edits them through the API.
 */

/** Components (部件) and events (事件). */
export type CategoryKind = 'component' | 'event';

/** The level a case is handled at: town/street, district/county, or the city. */
export const HANDLING_LEVELS = ['township', 'county', 'city'] as const;
/** One handling level (镇街 / 区县 / 市). */
export type HandlingLevel = (typeof HANDLING_LEVELS)[number];

/** The timed stages of a case (national stages 立案, 派遣, 处置, 核查, 结案). */
export const STAGES = ['register', 'dispatch', 'handle', 'verify', 'close'] as const;
/** One timed stage. */
export type Stage = (typeof STAGES)[number];

/** Minutes allowed for each stage. */
export type StageLimits = Record<Stage, number>;

/** One category of the catalog. */
export interface Category {
  code: string;
  kind: CategoryKind;
  /** The standard's major class (大类), e.g. 公用设施, 市容环境, 突发事件. */
  group: string;
  zh: string;
  en: string;
  /** The department type a case goes to unless the routing table says otherwise. */
  departmentType: string;
  /** The level it is handled at by default. */
  level: HandlingLevel;
  priority: Priority;
  /** Minutes per stage, per priority. */
  limits: Record<Priority, StageLimits>;
  /** A report within this many metres of an open case of the category attaches to it. */
  dedupRadiusM: number;
  /** … if that case was last reported within this many minutes. */
  dedupWindowMin: number;
  enabled: boolean;
  /**
   * Citizens may report it (Open311 lists it as a service). The 突发事件 incident categories are
   * opened from sensor alarms, so they are not offered to citizens by default.
   */
  citizenReportable: boolean;
}

/** A department type (职能部门类型); one exists at every unit of the levels listed. */
export interface DepartmentType {
  code: string;
  zh: string;
  en: string;
  levels: HandlingLevel[];
}

/**
 * Stage limits for a handling time (minutes at normal priority): acceptance and dispatch are
 * quick everywhere; handling scales with priority (urgent a quarter, low twice).
 */
export function limitsFor(handleMinutes: number): Record<Priority, StageLimits> {
  const scale: Record<Priority, number> = { urgent: 0.25, high: 0.5, normal: 1, low: 2 };
  const quick: Record<Priority, number> = { urgent: 10, high: 15, normal: 30, low: 60 };
  const out = {} as Record<Priority, StageLimits>;
  for (const p of PRIORITIES) {
    out[p] = {
      register: quick[p],
      dispatch: quick[p],
      handle: Math.max(30, Math.round(handleMinutes * scale[p])),
      verify: quick[p] * 4,
      close: quick[p] * 2,
    };
  }
  return out;
}

type Seed = [
  code: string,
  kind: CategoryKind,
  group: string,
  zh: string,
  en: string,
  departmentType: string,
  level: HandlingLevel,
  priority: Priority,
  handleMinutes: number,
  dedupRadiusM: number,
  dedupWindowMin: number,
];

const DAY = 1440;
// prettier-ignore
const SEEDS: Seed[] = [
  // 部件 components
  ['manhole_cover', 'component', '公用设施', '井盖', 'Manhole cover', 'urban_management', 'township', 'high', DAY, 20, 7 * DAY],
  ['street_light', 'component', '公用设施', '路灯', 'Street light', 'urban_management', 'county', 'normal', 3 * DAY, 20, 7 * DAY],
  ['water_hydrant', 'component', '公用设施', '消防栓', 'Fire hydrant', 'water', 'county', 'normal', 2 * DAY, 20, 7 * DAY],
  ['traffic_signal', 'component', '道路交通', '交通信号灯', 'Traffic signal', 'public_security', 'county', 'high', 240, 30, DAY],
  ['guard_rail', 'component', '道路交通', '护栏', 'Guard rail', 'transport', 'county', 'normal', 3 * DAY, 30, 7 * DAY],
  ['road_sign', 'component', '道路交通', '交通标志牌', 'Road sign', 'transport', 'county', 'low', 5 * DAY, 30, 7 * DAY],
  ['waste_bin', 'component', '市容环境', '垃圾箱', 'Waste bin', 'township_office', 'township', 'low', DAY, 20, 3 * DAY],
  ['public_toilet', 'component', '市容环境', '公厕', 'Public toilet', 'urban_management', 'township', 'normal', DAY, 30, 3 * DAY],
  ['tree_greenery', 'component', '园林绿化', '行道树', 'Street tree', 'urban_management', 'township', 'low', 3 * DAY, 30, 7 * DAY],
  // 事件 events
  ['street_vending', 'event', '街面秩序', '占道经营', 'Street vending', 'township_office', 'township', 'normal', 120, 50, 240],
  ['illegal_parking', 'event', '街面秩序', '违章停车', 'Illegal parking', 'public_security', 'county', 'normal', 120, 30, 120],
  ['exposed_garbage', 'event', '市容环境', '暴露垃圾', 'Exposed garbage', 'township_office', 'township', 'normal', 240, 50, DAY],
  ['garbage_overflow', 'event', '市容环境', '垃圾满溢', 'Garbage overflow', 'township_office', 'township', 'normal', 240, 50, DAY],
  ['construction_debris', 'event', '施工管理', '建筑垃圾乱倒', 'Construction debris dumping', 'urban_management', 'county', 'normal', DAY, 80, 3 * DAY],
  ['road_damage', 'event', '道路交通', '道路破损', 'Road damage', 'transport', 'county', 'normal', 3 * DAY, 50, 7 * DAY],
  ['road_waterlogging', 'event', '突发事件', '道路积水', 'Road waterlogging', 'water', 'county', 'high', 240, 200, 720],
  ['pipe_burst', 'event', '突发事件', '管道爆裂', 'Pipe burst', 'water', 'county', 'urgent', 480, 200, 720],
  ['road_collapse', 'event', '突发事件', '路面塌陷', 'Road collapse', 'housing', 'county', 'urgent', 480, 200, DAY],
  ['fire_smoke', 'event', '突发事件', '火情烟雾', 'Fire or smoke', 'emergency', 'county', 'urgent', 60, 300, 120],
  ['crowd_gathering', 'event', '突发事件', '人员聚集', 'Crowd gathering', 'public_security', 'county', 'high', 120, 300, 120],
  ['noise_nuisance', 'event', '其他事件', '噪声扰民', 'Noise nuisance', 'environment', 'county', 'low', DAY, 100, DAY],
  // Alarm-derived incidents (告警转案件), one per sensor domain.
  ['water_supply_incident', 'event', '突发事件', '供水异常', 'Water supply incident', 'water', 'county', 'high', 480, 500, 720],
  ['drainage_incident', 'event', '突发事件', '排水异常', 'Drainage incident', 'water', 'county', 'high', 480, 500, 720],
  ['gas_incident', 'event', '突发事件', '燃气异常', 'Gas incident', 'urban_management', 'county', 'urgent', 240, 300, 720],
  ['power_incident', 'event', '突发事件', '供电异常', 'Power incident', 'power_supply', 'county', 'high', 480, 500, 720],
  ['bridge_incident', 'event', '突发事件', '桥梁结构异常', 'Bridge structural incident', 'transport', 'county', 'urgent', DAY, 300, DAY],
  ['tunnel_incident', 'event', '突发事件', '隧道异常', 'Tunnel incident', 'transport', 'county', 'urgent', 480, 300, DAY],
  ['slope_incident', 'event', '突发事件', '边坡地灾异常', 'Slope / landslide incident', 'emergency', 'county', 'urgent', 480, 500, DAY],
  ['environment_incident', 'event', '突发事件', '环境监测超标', 'Environmental incident', 'environment', 'county', 'high', DAY, 1000, DAY],
];

/** The standard's class of sudden incidents (突发事件): opened from alarms, not by citizens. */
export const INCIDENT_GROUP = '突发事件';

/** The categories cityops starts with. */
export const DEFAULT_CATEGORIES: readonly Category[] = SEEDS.map(
  ([code, kind, group, zh, en, departmentType, level, priority, handle, dedupRadiusM, dedupWindowMin]) => ({
    code,
    kind,
    group,
    zh,
    en,
    departmentType,
    level,
    priority,
    limits: limitsFor(handle),
    dedupRadiusM,
    dedupWindowMin,
    enabled: true,
    citizenReportable: group !== INCIDENT_GROUP,
  }),
);

/** The department types cityops starts with; county and city ones exist at every county and at the city. */
export const DEFAULT_DEPARTMENT_TYPES: readonly DepartmentType[] = [
  { code: 'township_office', zh: '镇街办事处', en: 'Town/street office', levels: ['township'] },
  { code: 'urban_management', zh: '城市管理局', en: 'Urban management bureau', levels: ['county', 'city'] },
  { code: 'water', zh: '水务局', en: 'Water bureau', levels: ['county', 'city'] },
  { code: 'transport', zh: '交通局', en: 'Transport bureau', levels: ['county', 'city'] },
  {
    code: 'housing',
    zh: '住房城乡建委',
    en: 'Housing and construction commission',
    levels: ['county', 'city'],
  },
  { code: 'emergency', zh: '应急管理局', en: 'Emergency management bureau', levels: ['county', 'city'] },
  { code: 'environment', zh: '生态环境局', en: 'Ecology and environment bureau', levels: ['county', 'city'] },
  { code: 'public_security', zh: '公安局', en: 'Public security bureau', levels: ['county', 'city'] },
  { code: 'power_supply', zh: '供电公司', en: 'Power supply company', levels: ['county', 'city'] },
];

/** One row of the routing table: the most specific matching row decides; missing fields fall back. */
export interface RoutingRule {
  id: string;
  /** A category code, or '*' for any. */
  category: string;
  /** A priority, or '*' for any. */
  priority: Priority | '*';
  /** The level to handle at; null keeps the category's. */
  level: HandlingLevel | null;
  /** The department type; null keeps the category's. */
  departmentType: string | null;
  note: string;
}

/** The routing rules cityops starts with. */
export const DEFAULT_ROUTING_RULES: readonly RoutingRule[] = [
  {
    id: 'urgent-to-county',
    category: '*',
    priority: 'urgent',
    level: 'county',
    departmentType: null,
    note: '紧急案件由区县职能部门处置 urgent cases are handled by a county department',
  },
  {
    id: 'urgent-bridge-city',
    category: 'bridge_incident',
    priority: 'urgent',
    level: 'city',
    departmentType: 'transport',
    note: '特大桥梁险情由市交通局处置 critical bridge incidents go to the city transport bureau',
  },
  {
    id: 'urgent-tunnel-city',
    category: 'tunnel_incident',
    priority: 'urgent',
    level: 'city',
    departmentType: 'transport',
    note: '隧道险情由市交通局处置 critical tunnel incidents go to the city transport bureau',
  },
];
