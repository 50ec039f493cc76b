import { useEffect, useMemo, useState } from 'react';
import { getJson, type UnitCollection } from '../../shared/api';
import { fitProjection, pathOf } from '../map/projection';

const W = 420;
const H = 300;

/** Where the case is: its town/street among its district's, with the reported point. */
export function CaseMap({
  township,
  county,
  lon,
  lat,
}: {
  township: string;
  county: string;
  lon: number;
  lat: number;
}) {
  const [data, setData] = useState<UnitCollection | null>(null);
  useEffect(() => {
    getJson<UnitCollection>(`/api/v1/jurisdictions/geojson?level=township&parent=${county}`).then(
      setData,
      () => setData(null),
    );
  }, [county]);
  // Frame the case's town/street (and what lies around it), not the whole district.
  const project = useMemo(() => {
    const own = data?.features.filter((f) => f.properties.code === township) ?? [];
    if (own.length === 0) return data ? fitProjection(data.features, W, H) : null;
    // The town/street in the middle half, its neighbours around it.
    const inner = fitProjection(own, W / 2, H / 2);
    return (lon: number, lat: number): [number, number] => {
      const [x, y] = inner(lon, lat);
      return [x + W / 4, y + H / 4];
    };
  }, [data, township]);
  if (!data || !project) return <div className="case-map" />;
  const [x, y] = project(lon, lat);
  return (
    <svg className="case-map" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${lon}, ${lat}`}>
      {data.features.map((f) => (
        <path
          key={f.id}
          d={pathOf(f, project)}
          className={`unit${f.properties.approximate ? ' approximate' : ''}${f.properties.code === township ? ' selected' : ''}`}
          fillRule="evenodd"
        >
          <title>{f.properties.name}</title>
        </path>
      ))}
      <circle cx={x} cy={y} r={10} className="pin-halo" />
      <circle cx={x} cy={y} r={5} className="pin" />
    </svg>
  );
}
