import type { LiveEvent } from '../../shared/types';

/** Most events the ticker keeps: the wall shows a screenful, memory stays bounded at any rate. */
export const TICKER_CAP = 60;

/**
 * Adds new events to the ticker, newest first, without duplicates (a resumed connection may
 * repeat what the snapshot already had), keeping at most `cap`. Routine alarm refreshes
 * (`updated`, `commented`) are left out: the ticker is for what an operator must notice.
 */
export function pushEvents(
  list: readonly LiveEvent[],
  events: readonly LiveEvent[],
  cap = TICKER_CAP,
): LiveEvent[] {
  const seen = new Set(list.map((e) => e.seq));
  const fresh = events.filter((e) => !seen.has(e.seq) && shown(e)).reverse();
  if (fresh.length === 0) return list as LiveEvent[];
  return [...fresh, ...list].sort((a, b) => b.seq - a.seq).slice(0, cap);
}

/** Whether an event belongs on the ticker. */
export function shown(e: LiveEvent): boolean {
  if (e.topic === 'alarm') return e.type === 'raised' || e.type === 'escalated' || e.type === 'cleared';
  // A case's automatic 立案/派遣 right after its report would triple every new case.
  return !(e.actor === 'system' && (e.action === 'register' || e.action === 'dispatch'));
}
