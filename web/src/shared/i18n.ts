/** The dashboard's two languages: Chinese first, English on the switch. */
export type Lang = 'zh' | 'en';

const LABELS = {
  title: { zh: '城市运行和治理中心', en: 'City Operations & Governance Center' },
  subtitle: { zh: '感知态势一张屏', en: 'City vital signs on one screen' },
  districts: { zh: '区县', en: 'Districts & counties' },
  townships: { zh: '镇街', en: 'Towns & streets' },
  back: { zh: '返回全市', en: 'Back to the city' },
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
} as const;

/** A label key. */
export type LabelKey = keyof typeof LABELS;

/** The label in one language. */
export function t(key: LabelKey, lang: Lang): string {
  return LABELS[key][lang];
}
