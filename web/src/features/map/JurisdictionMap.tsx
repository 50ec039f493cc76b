import { useEffect, useMemo, useState } from 'react';
import { getJson, type UnitCollection, type UnitFeature } from '../../shared/api';
import { count } from '../../shared/format';
import { t, type Lang } from '../../shared/i18n';
import type { Level, OverviewUnit } from '../../shared/types';
import { loadColor, loadOf } from '../overview/load';
import { fitProjection, pathOf } from './projection';

const WIDTH = 900;
const HEIGHT = 640;

/** The unit a map shows: its children, or for a township its county's towns/streets. */
export interface MapScope {
  code: string;
  level: Level;
  parent: string | null;
}

/** Which boundaries to draw for a scope. */
export function mapLayer(scope: MapScope): { level: Level; parent: string } {
  if (scope.level === 'province') {
    return { level: scope.code === '50' ? 'county' : 'prefecture', parent: scope.code };
  }
  if (scope.level === 'township') return { level: 'township', parent: scope.parent ?? scope.code };
  return { level: 'township', parent: scope.code };
}

/**
 * The city map: real district outlines (towns/streets approximate, drawn dashed and labelled so),
 * each unit shaded by its live load. Click a unit to open its screen.
 */
export function JurisdictionMap({
  lang,
  scope,
  units,
  onScope,
}: {
  lang: Lang;
  scope: MapScope;
  units: readonly OverviewUnit[];
  onScope: (code: string) => void;
}) {
  const [data, setData] = useState<UnitCollection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [hover, setHover] = useState<UnitFeature | null>(null);
  const { level, parent } = mapLayer(scope);

  useEffect(() => {
    setData(null);
    setError(null);
    getJson<UnitCollection>(`/api/v1/jurisdictions/geojson?level=${level}&parent=${parent}`).then(
      setData,
      (e: Error) => setError(e.message),
    );
  }, [parent, level]);

  const project = useMemo(() => (data ? fitProjection(data.features, WIDTH, HEIGHT) : null), [data]);
  const paths = useMemo(
    () => (data && project ? data.features.map((f) => ({ f, d: pathOf(f, project) })) : []),
    [data, project],
  );
  const byCode = useMemo(() => new Map(units.map((u) => [u.code, u])), [units]);
  const max = Math.max(1, ...units.map(loadOf));

  if (error) {
    return (
      <p className="error">
        {t('failed', lang)}: {error}
      </p>
    );
  }
  if (!data || !project) return <p className="map-loading">{t('loading', lang)}</p>;
  const approximate = data.features.some((f) => f.properties.approximate);
  const hovered = hover ? byCode.get(hover.properties.code) : undefined;

  return (
    <figure className="map">
      <figcaption>
        {hover ? (
          <>
            <b>{hover.properties.name}</b> {hover.properties.code}
            {hovered && (
              <>
                {' · '}
                {t('openCases', lang)} {count(hovered.openCases)} · {t('activeAlarms', lang)}{' '}
                {count(hovered.activeAlarms)}
              </>
            )}
          </>
        ) : (
          `${data.features.length} ${t(level === 'township' ? 'townships' : 'districts', lang)} · ${t('clickToDrill', lang)}`
        )}
        {approximate && <span className="badge">{t('approximate', lang)}</span>}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={level}>
        {paths.map(({ f, d }) => {
          const u = byCode.get(f.properties.code);
          const load = u ? loadOf(u) : 0;
          const selected = f.properties.code === scope.code;
          return (
            <path
              key={f.id}
              d={d}
              data-code={f.properties.code}
              data-load={load}
              style={{ fill: loadColor(load, max) }}
              className={`unit${f.properties.approximate ? ' approximate' : ''}${hover?.id === f.id ? ' hover' : ''}${selected ? ' selected' : ''}${u?.criticalAlarms ? ' critical' : ''}`}
              fillRule="evenodd"
              onMouseEnter={() => setHover(f)}
              onMouseLeave={() => setHover(null)}
              onClick={() => onScope(f.properties.code)}
            >
              <title>{`${f.properties.name} ${f.properties.code}`}</title>
            </path>
          );
        })}
      </svg>
      <div className="legend">
        <span>{t('mapLoad', lang)}</span>
        <span>{t('low', lang)}</span>
        <i className="ramp" />
        <span>{t('high', lang)}</span>
      </div>
    </figure>
  );
}
