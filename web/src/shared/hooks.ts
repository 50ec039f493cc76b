import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { getJson } from './api';
import type { LiveClient, LiveListener } from './live';
import type { Lang } from './i18n';
import type { Me } from './api';

/** What every screen gets from the shell. */
export interface Shell {
  lang: Lang;
  me: Me;
  /** The user's own jurisdiction (the city for administrators). */
  home: string;
  live: LiveClient;
  navigate: (url: string) => void;
}

/** The shell's context. */
export const ShellContext = createContext<Shell | null>(null);

/** The shell (inside a signed-in page). */
export function useShell(): Shell {
  const shell = useContext(ShellContext);
  if (!shell) throw new Error('useShell outside the signed-in shell');
  return shell;
}

/** Listens to the page's live feed while the component is mounted. */
export function useLive(listener: LiveListener): void {
  const { live } = useShell();
  const current = useRef(listener);
  current.current = listener;
  useEffect(
    () =>
      live.listen({
        events: (e) => current.current.events?.(e),
        vitals: (v) => current.current.vitals?.(v),
        reset: () => current.current.reset?.(),
        status: (s) => current.current.status?.(s),
      }),
    [live],
  );
}

/**
 * Calls `fn` at most once per `ms` however often it is asked for (live events can arrive
 * 1,000 a minute; a list is refetched at most every few seconds).
 */
export function useThrottled(fn: () => void, ms: number): () => void {
  const last = useRef(0);
  const timer = useRef<number | null>(null);
  const current = useRef(fn);
  current.current = fn;
  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );
  return useRef(() => {
    if (timer.current !== null) return;
    const wait = Math.max(0, last.current + ms - Date.now());
    timer.current = window.setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      current.current();
    }, wait);
  }).current;
}

const names = new Map<string, Promise<Map<string, string>>>();

/** Names of the units below a scope (towns/streets and districts), fetched once per scope. */
export function useUnitNames(scope: string): Map<string, string> {
  const [map, setMap] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let promise = names.get(scope);
    if (!promise) {
      promise = Promise.all(
        (['county', 'township'] as const).map((level) =>
          getJson<{ items: { code: string; name: string }[] }>(
            `/api/v1/jurisdictions?level=${level}&parent=${scope}&limit=10000`,
          ).catch(() => ({ items: [] })),
        ),
      )
        .then(async (lists) => {
          const own = await getJson<{ code: string; name: string }>(`/api/v1/jurisdictions/${scope}`).catch(
            () => null,
          );
          return [...lists, { items: own ? [own] : [] }];
        })
        .then((lists) => new Map(lists.flatMap((l) => l.items.map((u) => [u.code, u.name] as const))));
      names.set(scope, promise);
    }
    let live = true;
    void promise.then((m) => live && setMap(m));
    return () => {
      live = false;
    };
  }, [scope]);
  return map;
}
