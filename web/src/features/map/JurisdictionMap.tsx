import { useEffect, useMemo, useState } from 'react';
import { getJson, type UnitCollection, type UnitFeature } from '../../shared/api';
import { t, type Lang } from '../../shared/i18n';
import { fitProjection, pathOf } from './projection';
import type { Detail } from '../../App';

const WIDTH = 900;
const HEIGHT = 640;

/** The city map: Chongqing's districts; click one to see its towns/streets (approximate outlines). */
export function JurisdictionMap({
  lang,
  unit,
  onScope,
}: {
  lang: Lang;
  unit: Detail;
  onScope: (code: string) => void;
}) {
  const [data, setData] = useState<UnitCollection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [hover, setHover] = useState<UnitFeature | null>(null);
  // Chongqing's districts hang under the city, Sichuan's prefectures under the province; a
  // township is shown among its county's townships (the server filters to what the user may see).
  const level = unit.level === 'province' ? (unit.code === '50' ? 'county' : 'prefecture') : 'township';
  const parent = unit.level === 'township' ? (unit.parent ?? unit.code) : unit.code;
  const drillable = level !== 'township';

  useEffect(() => {
    setData(null);
    setError(null);
    getJson<UnitCollection>(`/api/v1/jurisdictions/geojson?level=${level}&parent=${parent}`).then(
      setData,
      (e: Error) => setError(e.message),
    );
  }, [parent, level]);

  const project = useMemo(() => (data ? fitProjection(data.features, WIDTH, HEIGHT) : null), [data]);
  if (error) {
    return (
      <p className="error">
        {t('failed', lang)}: {error}
      </p>
    );
  }
  if (!data || !project) return <p>{t('loading', lang)}</p>;
  const approximate = data.features.some((f) => f.properties.approximate);

  return (
    <figure className="map">
      <figcaption>
        {hover
          ? `${hover.properties.name} · ${hover.properties.code}`
          : `${data.features.length} ${t(level === 'township' ? 'townships' : 'districts', lang)}`}
        {approximate && <span className="badge">{t('approximate', lang)}</span>}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={level}>
        {data.features.map((f) => (
          <path
            key={f.id}
            d={pathOf(f, project)}
            className={`unit ${f.properties.approximate ? 'approximate' : ''} ${hover?.id === f.id ? 'hover' : ''}`}
            fillRule="evenodd"
            onMouseEnter={() => setHover(f)}
            onMouseLeave={() => setHover(null)}
            onClick={() => drillable && onScope(f.properties.code)}
          >
            <title>{`${f.properties.name} ${f.properties.code}`}</title>
          </path>
        ))}
      </svg>
    </figure>
  );
}
