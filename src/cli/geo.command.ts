import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { CliError } from './cli-error.js';
import { withJurisdictions } from './context.js';

/** `cityops geo import FILE.geojson`: replace shipped (approximate) boundaries with real ones. */
export function geoCommand(): Command {
  const geo = new Command('geo').description('boundaries 边界数据');
  geo
    .command('import')
    .argument(
      '<file>',
      'GeoJSON FeatureCollection, WGS84 lon/lat; each feature names its unit in properties.code',
    )
    .description(
      'import real boundaries for towns/streets or other units, replacing the approximate ones 导入真实边界\n' +
        'Valid features are stored even when others are rejected; exit code 2 means some were rejected.\n' +
        'A running server picks the new boundaries up when it restarts.',
    )
    .action(async (file: string) => {
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (error) {
        throw new CliError(`cannot read ${file} as JSON: ${(error as Error).message}`);
      }
      const report = await withJurisdictions((service) =>
        service.importBoundaries(json, path.basename(file)),
      );
      process.stdout.write(`imported 已导入: ${report.imported} boundaries from ${file}\n`);
      for (const r of report.rejected) {
        process.stdout.write(
          `  rejected 未导入 #${r.index}${r.code ? ` (${r.code})` : ''}: ${r.error} — ${r.message}\n`,
        );
      }
      if (report.rejected.length > 0) {
        process.stdout.write(
          `rejected 未导入: ${report.rejected.length}; fix those features and import the file again.\n`,
        );
        process.exitCode = 2;
      }
    });
  return geo;
}
