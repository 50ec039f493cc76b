/** A unit's load for the map: open cases plus active alarms (critical alarms weigh triple). */
export function loadOf(u: {
  openCases: number | null;
  activeAlarms: number | null;
  criticalAlarms: number | null;
}): number {
  return (u.openCases ?? 0) + (u.activeAlarms ?? 0) + 2 * (u.criticalAlarms ?? 0);
}

// From calm navy to alert red, the wall's palette.
const STOPS: [number, number, number][] = [
  [15, 58, 110],
  [31, 111, 196],
  [242, 177, 52],
  [232, 72, 62],
];

/**
 * The fill of a unit with `load` when the busiest unit on screen has `max`: a square-root scale,
 * so one very busy district does not wash every other one out to the same colour.
 */
export function loadColor(load: number, max: number): string {
  if (load <= 0 || max <= 0) return `rgb(${STOPS[0]!.join(',')})`;
  const x = Math.min(1, Math.sqrt(load / max)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [STOPS[i]!, STOPS[i + 1]!];
  return `rgb(${a.map((v, k) => Math.round(v + (b[k]! - v) * f)).join(',')})`;
}
