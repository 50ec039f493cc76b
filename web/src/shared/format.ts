import type { Lang } from './i18n';

/** An integer with thousands separators, or — when unknown. */
export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : Math.round(n).toLocaleString('en-US');
}

/** A share as a percentage with one decimal (0.973 → 97.3%), or — when unknown. */
export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)}%`;
}

/** A measured value with sensible precision for its size. */
export function measure(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

/** A time of day in China time (the city's clock, whatever the browser's zone). */
export function clock(at: number | string, seconds = false): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at;
  const d = new Date(ms + 8 * 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const hm = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
  return seconds ? `${hm}:${two(d.getUTCSeconds())}` : hm;
}

/** Date and time in China time: `11-26 14:05`. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(Date.parse(iso) + 8 * 3_600_000);
  const mo = String(d.getUTCMonth() + 1).padStart(2, '0');
  const da = String(d.getUTCDate()).padStart(2, '0');
  return `${mo}-${da} ${clock(iso)}`;
}

/** "12 of 30" style. */
export function ofTotal(part: number, total: number, lang: Lang): string {
  return lang === 'zh' ? `${count(part)}/${count(total)}` : `${count(part)} of ${count(total)}`;
}
