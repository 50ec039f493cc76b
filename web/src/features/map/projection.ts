import type { UnitFeature } from '../../shared/api';

/** Fits lon/lat into a width×height box with an equirectangular projection scaled by cos(latitude). */
export function fitProjection(features: UnitFeature[], width: number, height: number) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const f of features) {
    for (const polygon of f.geometry.coordinates) {
      for (const [x = 0, y = 0] of polygon[0] ?? []) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
  }
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const scale = Math.min(width / ((maxX - minX) * k || 1), height / (maxY - minY || 1));
  const offsetX = (width - (maxX - minX) * k * scale) / 2;
  const offsetY = (height - (maxY - minY) * scale) / 2;
  return (lon: number, lat: number): [number, number] => [
    offsetX + (lon - minX) * k * scale,
    offsetY + (maxY - lat) * scale,
  ];
}

/** SVG path data for a MultiPolygon (holes drawn with the even-odd rule). */
export function pathOf(f: UnitFeature, project: (lon: number, lat: number) => [number, number]): string {
  let d = '';
  for (const polygon of f.geometry.coordinates) {
    for (const ring of polygon) {
      ring.forEach(([lon = 0, lat = 0], i) => {
        const [x, y] = project(lon, lat);
        d += `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
      });
      d += 'Z';
    }
  }
  return d;
}
