/** The dashboard's two languages: Chinese first, English on the switch. */
export type Lang = 'zh' | 'en';

const LABELS = {
  title: { zh: '城市运行和治理中心', en: 'City Operations & Governance Center' },
  subtitle: { zh: '感知态势一张屏', en: 'City vital signs on one screen' },
  districts: { zh: '区县', en: 'Districts & counties' },
  townships: { zh: '镇街', en: 'Towns & streets' },
  back: { zh: '返回全市', en: 'Back to the city' },
  up: { zh: '返回上级', en: 'Up one level' },
  approximate: {
    zh: '镇街边界为近似（可导入真实边界）',
    en: 'Town/street boundaries are approximate (import real ones)',
  },
  apiDocs: { zh: '接口文档', en: 'API docs' },
  healthy: { zh: '运行正常', en: 'Healthy' },
  degraded: { zh: '存储异常', en: 'Storage degraded' },
  loading: { zh: '加载中…', en: 'Loading…' },
  failed: { zh: '加载失败', en: 'Failed to load' },
  storage: { zh: '存储', en: 'Storage' },
  signIn: { zh: '登录', en: 'Sign in' },
  signOut: { zh: '退出', en: 'Sign out' },
  username: { zh: '用户名', en: 'Username' },
  password: { zh: '密码', en: 'Password' },
  signInFailed: { zh: '用户名或密码错误', en: 'Wrong username or password' },
  demoUsers: { zh: '演示账号（演示模式）', en: 'Demo accounts (demo mode)' },
  demoHint: { zh: '点击账号填入，再点登录', en: 'Click an account to fill it in, then sign in' },
  // navigation
  navOverview: { zh: '态势总览', en: 'Overview' },
  navWorkbench: { zh: '案件工作台', en: 'Case workbench' },
  navAlarms: { zh: '告警', en: 'Alarms' },
  navSensors: { zh: '传感器', en: 'Sensors' },
  // live status
  liveOn: { zh: '实时', en: 'Live' },
  liveConnecting: { zh: '连接中', en: 'Connecting' },
  liveReconnecting: { zh: '重连中', en: 'Reconnecting' },
  liveOff: { zh: '已断开', en: 'Offline' },
  // key figures (national metric names)
  reportedToday: { zh: '今日事件', en: 'Events today' },
  openCases: { zh: '在办案件', en: 'Open cases' },
  overdueCases: { zh: '超期案件', en: 'Overdue' },
  closureRate: { zh: '结案率', en: 'Closure rate' },
  onTimeClosureRate: { zh: '按期结案率', en: 'On-time closure rate' },
  last30Days: { zh: '近30日', en: 'last 30 days' },
  activeAlarms: { zh: '活动告警', en: 'Active alarms' },
  criticalAlarms: { zh: '紧急告警', en: 'Critical alarms' },
  sensorsOnline: { zh: '传感器在线', en: 'Sensors online' },
  readingsPerMinute: { zh: '每分钟接入', en: 'Readings per minute' },
  // vital signs
  vitalSigns: { zh: '城市生命体征', en: 'City vital signs' },
  normalShare: { zh: '正常率', en: 'Normal' },
  online: { zh: '在线', en: 'online' },
  noSensors: { zh: '暂无传感器', en: 'No sensors' },
  alarmsShort: { zh: '告警', en: 'alarms' },
  // map
  mapLoad: { zh: '负荷：在办案件 + 活动告警', en: 'Load: open cases + active alarms' },
  low: { zh: '低', en: 'low' },
  high: { zh: '高', en: 'high' },
  clickToDrill: { zh: '点击下钻', en: 'Click to drill down' },
  // ticker
  ticker: { zh: '实时动态', en: 'Live events' },
  tickerEmpty: { zh: '暂无新动态', en: 'No events yet' },
  newCase: { zh: '新案件', en: 'New case' },
  // workbench
  myQueue: { zh: '我的待办', en: 'My queue' },
  allOpen: { zh: '全部在办', en: 'All open' },
  overdueOnly: { zh: '仅超期', en: 'Overdue only' },
  closedCases: { zh: '已办结', en: 'Closed' },
  allCases: { zh: '全部', en: 'All' },
  category: { zh: '类别', en: 'Category' },
  anyCategory: { zh: '全部类别', en: 'All categories' },
  search: { zh: '搜索', en: 'Search' },
  sortDeadline: { zh: '按时限', en: 'By deadline' },
  sortNewest: { zh: '最新', en: 'Newest' },
  caseId: { zh: '案件编号', en: 'Case' },
  status: { zh: '状态', en: 'Status' },
  priority: { zh: '优先级', en: 'Priority' },
  place: { zh: '位置', en: 'Place' },
  department: { zh: '处置部门', en: 'Department' },
  deadline: { zh: '时限', en: 'Deadline' },
  reported: { zh: '上报时间', en: 'Reported' },
  dueAt: { zh: '应结时间', en: 'Due' },
  source: { zh: '来源', en: 'Source' },
  description: { zh: '描述', en: 'Description' },
  noCases: { zh: '没有符合条件的案件', en: 'No cases match' },
  overdue: { zh: '超期', en: 'overdue' },
  left: { zh: '剩余', en: 'left' },
  shownOf: { zh: '已显示', en: 'Shown' },
  loadMore: { zh: '加载更多', en: 'Load more' },
  // case detail
  timeline: { zh: '办理流程', en: 'Timeline' },
  auditTrail: { zh: '审计记录', en: 'Audit trail' },
  occurrences: { zh: '上报记录', en: 'Occurrences' },
  location: { zh: '位置', en: 'Location' },
  snapshot: { zh: '现场抓拍', en: 'Snapshot' },
  noSnapshot: { zh: '无抓拍图片', en: 'No snapshot' },
  actions: { zh: '可执行操作', en: 'Actions' },
  noActions: { zh: '当前无可执行操作', en: 'Nothing for you to do now' },
  note: { zh: '意见/说明（内部，不公开）', en: 'Note (internal, never public)' },
  publicReply: { zh: '公开回复', en: 'Public reply' },
  publicReplyHint: {
    zh: '市民可见（Open311）：勿写姓名、电话、内部安排',
    en: 'Shown to citizens (Open311): no names, phone numbers or internal arrangements',
  },
  publicTag: { zh: '公开', en: 'public' },
  noteRequired: { zh: '请填写意见', en: 'A note is required' },
  minutes: { zh: '延期分钟数', en: 'Extra minutes' },
  departmentTarget: { zh: '派往部门（类型或 类型@区划）', en: 'Department (type or type@unit)' },
  mergeInto: { zh: '合并到案件编号', en: 'Merge into case' },
  splitPick: { zh: '拆出为新案件的上报', en: 'Reports that become a new case' },
  splitRule: { zh: '请选择至少一条、但不是全部上报', en: 'Pick at least one report, not all of them' },
  locatePoint: {
    zh: '案件位置（WGS84 经纬度，如 106.5775, 29.5576）',
    en: 'Where the case is (WGS84, e.g. 106.5775, 29.5576)',
  },
  longitude: { zh: '经度', en: 'Longitude' },
  noPoint: { zh: '待定位', en: 'no point yet' },
  latitude: { zh: '纬度', en: 'Latitude' },
  confirm: { zh: '确定', en: 'Confirm' },
  cancel: { zh: '取消', en: 'Cancel' },
  when: { zh: '时间', en: 'When' },
  actor: { zh: '操作人', en: 'By' },
  action: { zh: '操作', en: 'Action' },
  fromTo: { zh: '状态变化', en: 'Status' },
  backToQueue: { zh: '返回待办', en: 'Back to the queue' },
  rework: { zh: '返工次数', en: 'Rework' },
  routing: { zh: '派遣依据', en: 'Routing' },
  // alarms
  alarmList: { zh: '告警列表', en: 'Alarms' },
  severity: { zh: '级别', en: 'Severity' },
  message: { zh: '内容', en: 'Message' },
  raisedAt: { zh: '发生时间', en: 'Raised' },
  acknowledge: { zh: '确认', en: 'Acknowledge' },
  clear: { zh: '清除', en: 'Clear' },
  stateActive: { zh: '未确认', en: 'Active' },
  stateAcknowledged: { zh: '已确认', en: 'Acknowledged' },
  stateCleared: { zh: '已清除', en: 'Cleared' },
  openAlarms: { zh: '未清除', en: 'Open' },
  noAlarms: { zh: '没有告警', en: 'No alarms' },
  domain: { zh: '领域', en: 'Domain' },
  anyDomain: { zh: '全部领域', en: 'All domains' },
  // sensors
  sensorList: { zh: '传感器列表', en: 'Sensors' },
  sensor: { zh: '传感器', en: 'Sensor' },
  type: { zh: '类型', en: 'Type' },
  series: { zh: '历史曲线', en: 'Series' },
  range1h: { zh: '近1小时（原始）', en: 'Last hour (raw)' },
  range24h: { zh: '近24小时（1分钟）', en: 'Last 24 h (1 min)' },
  range7d: { zh: '近7天（1小时）', en: 'Last 7 days (1 h)' },
  normalRange: { zh: '正常范围', en: 'Normal range' },
  alarmsOverlaid: { zh: '阴影为告警时段', en: 'Shaded: alarm periods' },
  noData: { zh: '该时段无数据', en: 'No data in this period' },
  truncated: { zh: '数据已截断', en: 'truncated' },
  noSensorsHere: { zh: '该范围内没有传感器', en: 'No sensors here' },
  previous: { zh: '上一页', en: 'Previous' },
  next: { zh: '下一页', en: 'Next' },
} as const;

/** A label key. */
export type LabelKey = keyof typeof LABELS;

/** The label in one language. */
export function t(key: LabelKey, lang: Lang): string {
  return LABELS[key][lang];
}

/** Every label key (tests check both languages are filled in). */
export const LABEL_KEYS = Object.keys(LABELS) as LabelKey[];

const SEVERITY: Record<string, { zh: string; en: string }> = {
  warning: { zh: '提示', en: 'Warning' },
  minor: { zh: '一般', en: 'Minor' },
  major: { zh: '重要', en: 'Major' },
  critical: { zh: '紧急', en: 'Critical' },
};

/** An alarm severity's name. */
export function severityName(severity: string, lang: Lang): string {
  return SEVERITY[severity]?.[lang] ?? severity;
}

const PRIORITY: Record<string, { zh: string; en: string }> = {
  urgent: { zh: '紧急', en: 'Urgent' },
  high: { zh: '高', en: 'High' },
  normal: { zh: '普通', en: 'Normal' },
  low: { zh: '低', en: 'Low' },
};

/** A case priority's name. */
export function priorityName(priority: string, lang: Lang): string {
  return PRIORITY[priority]?.[lang] ?? priority;
}

const STATUS_EN: Record<string, string> = {
  reported: 'Awaiting registration',
  registered: 'Registered',
  cancelled: 'Cancelled',
  dispatched: 'Dispatched',
  in_progress: 'In progress',
  handled: 'Awaiting verification',
  verified: 'Verified',
  rework: 'Rework',
  suspended: 'Suspended',
  closed: 'Closed',
  merged: 'Merged',
};
const STATUS_ZH: Record<string, string> = {
  reported: '待立案',
  registered: '已立案',
  cancelled: '已注销',
  dispatched: '已派遣',
  in_progress: '处置中',
  handled: '待核查',
  verified: '核查通过',
  rework: '返工',
  suspended: '挂账',
  closed: '已结案',
  merged: '已合并',
};

/** A case status's name. */
export function statusName(status: string, lang: Lang): string {
  return (lang === 'zh' ? STATUS_ZH : STATUS_EN)[status] ?? status;
}

const SOURCE: Record<string, { zh: string; en: string }> = {
  alarm: { zh: '物联感知告警', en: 'Sensor alarm' },
  camera: { zh: '视频智能识别', en: 'AI camera' },
  open311: { zh: '市民上报', en: 'Citizen (Open311)' },
  operator: { zh: '人工录入', en: 'Operator' },
  hotline: { zh: '12345热线', en: '12345 hotline' },
};

/** A report source's name. */
export function sourceName(source: string, lang: Lang): string {
  return SOURCE[source]?.[lang] ?? source;
}

const ALARM_CHANGE: Record<string, { zh: string; en: string }> = {
  raised: { zh: '告警', en: 'Alarm' },
  updated: { zh: '告警复现', en: 'Alarm again' },
  escalated: { zh: '告警升级', en: 'Alarm escalated' },
  acknowledged: { zh: '告警已确认', en: 'Alarm acknowledged' },
  cleared: { zh: '告警解除', en: 'Alarm cleared' },
  commented: { zh: '告警备注', en: 'Alarm comment' },
};

/** What happened to an alarm, in words. */
export function alarmChangeName(type: string, lang: Lang): string {
  return ALARM_CHANGE[type]?.[lang] ?? type;
}
