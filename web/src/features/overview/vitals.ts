import type { Overview, VitalsMessage } from '../../shared/types';

/** Sparkline points kept per domain (the server keeps the same number). */
export const HISTORY_POINTS = 90;

/**
 * Applies a live vital-sign summary to the overview: the domains' current figures, the units'
 * alarm load and, when the summary is a history sample, one more sparkline point (bounded).
 */
export function applyVitals(o: Overview, m: VitalsMessage): Overview {
  const byDomain = new Map(m.domains.map((d) => [d.domain, d]));
  const byUnit = new Map(m.units.map((u) => [u.code, u]));
  const bounded = (list: (number | null)[], value: number | null) =>
    m.sample ? [...list, value].slice(-HISTORY_POINTS) : list;
  return {
    ...o,
    figures: {
      ...o.figures,
      readingsPerMinute: m.readingsPerMinute,
      sensors: m.domains.reduce((n, d) => n + d.sensors, 0),
      online: m.domains.reduce((n, d) => n + d.online, 0),
      activeAlarms:
        o.figures.activeAlarms === null ? null : m.domains.reduce((n, d) => n + d.activeAlarms, 0),
      criticalAlarms:
        o.figures.criticalAlarms === null ? null : m.domains.reduce((n, d) => n + d.criticalAlarms, 0),
    },
    domains: o.domains.map((d) => {
      const live = byDomain.get(d.domain);
      if (!live) return d;
      return {
        ...d,
        sensors: live.sensors,
        online: live.online,
        normalShare: live.normalShare,
        activeAlarms: live.activeAlarms,
        criticalAlarms: live.criticalAlarms,
        headline: { ...d.headline, avg: live.value },
        history: {
          normalShare: bounded(d.history.normalShare, live.normalShare),
          value: bounded(d.history.value, live.value),
        },
      };
    }),
    units: o.units.map((u) => {
      const live = byUnit.get(u.code);
      return live && u.activeAlarms !== null
        ? {
            ...u,
            activeAlarms: live.activeAlarms,
            criticalAlarms: live.criticalAlarms,
            abnormal: live.abnormal,
          }
        : u;
    }),
  };
}
