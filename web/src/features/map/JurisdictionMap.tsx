import { useEffect, useMemo, useState } from 'react';
import { getJson, type UnitCollection, type UnitFeature } from '../../shared/api';
import { t, type Lang } from '../../shared/i18n';
import { fitProjection, pathOf } from './projection';

const WIDTH = 900;
const HEIGHT = 640;

/** The city map: Chongqing's districts; click one to see its towns/streets (approximate outlines). */
export function JurisdictionMap({
  lang,
  scope,
  onScope,
}: {
  lang: Lang;
  scope: string;
  onScope: (code: string) => void;
}) {
  const [data, setData] = useState<UnitCollection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [hover, setHover] = useState<UnitFeature | null>(null);
  const level = scope === '50' ? 'county' : 'township';

  useEffect(() => {
    setData(null);
    setError(null);
    getJson<UnitCollection>(`/api/v1/jurisdictions/geojson?level=${level}&parent=${scope}`).then(
      setData,
      (e: Error) => setError(e.message),
    );
  }, [scope, level]);

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
          : `${data.features.length} ${t(level === 'county' ? 'districts' : 'townships', lang)}`}
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
            onClick={() => level === 'county' && onScope(f.properties.code)}
          >
            <title>{`${f.properties.name} ${f.properties.code}`}</title>
          </path>
        ))}
      </svg>
    </figure>
  );
}
