/** The dashboard's screens, addressed by URL so that each can be bookmarked and shared. */
export type Route =
  | { page: 'overview'; scope: string | null }
  | { page: 'workbench' }
  | { page: 'case'; id: string }
  | { page: 'alarms' }
  | { page: 'sensors' }
  | { page: 'sensor'; id: string };

/** The route of a location (`/?scope=500109`, `/cases/C…`, `/sensors/ID`). */
export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'workbench') return { page: 'workbench' };
  if (parts[0] === 'cases' && parts[1]) return { page: 'case', id: parts[1] };
  if (parts[0] === 'alarms') return { page: 'alarms' };
  if (parts[0] === 'sensors' && parts[1]) return { page: 'sensor', id: parts[1] };
  if (parts[0] === 'sensors') return { page: 'sensors' };
  return { page: 'overview', scope: params.get('scope') };
}

/** The URL of a route. */
export function urlOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return route.scope ? `/?scope=${encodeURIComponent(route.scope)}` : '/';
    case 'workbench':
      return '/workbench';
    case 'case':
      return `/cases/${encodeURIComponent(route.id)}`;
    case 'alarms':
      return '/alarms';
    case 'sensors':
      return '/sensors';
    case 'sensor':
      return `/sensors/${encodeURIComponent(route.id)}`;
  }
}
