import { describe, expect, it } from 'vitest';
import { parseBoundaryFile, toMultiPolygon } from './geo-import.js';

const square = [
  [106.5, 29.5],
  [106.6, 29.5],
  [106.6, 29.6],
  [106.5, 29.6],
  [106.5, 29.5],
];
const feature = (code: unknown, geometry: unknown) => ({ type: 'Feature', properties: { code }, geometry });

describe('toMultiPolygon', () => {
  it('wraps a Polygon and closes an open ring', () => {
    expect(toMultiPolygon({ type: 'Polygon', coordinates: [square.slice(0, 4)] })).toEqual([[square]]);
  });
  it.each([
    [{ type: 'Point', coordinates: [1, 2] }, /not Polygon/],
    [
      {
        type: 'Polygon',
        coordinates: [
          [
            [106, 29],
            [107, 29],
            [106, 29],
          ],
        ],
      },
      /at least 3/,
    ],
    [
      {
        type: 'Polygon',
        coordinates: [
          [
            [500000, 3300000],
            [500100, 3300000],
            [500100, 3300100],
            [500000, 3300000],
          ],
        ],
      },
      /projected CRS/,
    ],
    [
      {
        type: 'Polygon',
        coordinates: [
          [
            [106, 'x'],
            [107, 29],
            [107, 30],
            [106, 29],
          ],
        ],
      },
      /finite/,
    ],
    [null, /no geometry/],
  ])('explains why %j is not a polygon', (geometry, message) => {
    expect(toMultiPolygon(geometry)).toMatch(message);
  });
});

describe('parseBoundaryFile', () => {
  it('keeps every valid feature and reports each invalid one with its index', () => {
    const json = {
      type: 'FeatureCollection',
      features: [
        feature('500103001', { type: 'Polygon', coordinates: [square] }),
        feature('999999999', { type: 'Polygon', coordinates: [square] }),
        feature('500103002', { type: 'LineString', coordinates: square }),
        {
          type: 'Feature',
          id: 500103003,
          properties: {},
          geometry: { type: 'MultiPolygon', coordinates: [[square]] },
        },
        { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [square] } },
      ],
    };
    const result = parseBoundaryFile(json, (code) => code.startsWith('500103'));
    expect(result.boundaries.map((b) => b.code)).toEqual(['500103001', '500103003']);
    expect(result.rejected).toEqual([
      expect.objectContaining({ index: 1, code: '999999999', error: 'JURISDICTION_NOT_FOUND' }),
      expect.objectContaining({ index: 2, code: '500103002', error: 'INVALID_GEOMETRY' }),
      expect.objectContaining({ index: 4, code: null, error: 'INVALID_JURISDICTION' }),
    ]);
  });
});
