import { Command } from 'commander';
import { AppError } from '../errors.js';
import { CliError } from './cli-error.js';
import { withJurisdictions } from './context.js';

/** `cityops lookup LON LAT`: which units contain a WGS84 point. */
export function lookupCommand(): Command {
  return new Command('lookup')
    .description('which jurisdictions contain a point (WGS84) 坐标反查行政区划')
    .argument('<lon>', 'longitude, e.g. 106.5775')
    .argument('<lat>', 'latitude, e.g. 29.5576')
    .action(async (lonText: string, latText: string) => {
      const lon = Number(lonText);
      const lat = Number(latText);
      if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) {
        throw new CliError(`"${lonText} ${latText}" is not a WGS84 longitude and latitude`);
      }
      try {
        const result = await withJurisdictions((service) => Promise.resolve(service.lookup(lon, lat)));
        for (const level of ['province', 'prefecture', 'county', 'township'] as const) {
          const unit = result[level];
          if (unit) process.stdout.write(`${level.padEnd(10)} ${unit.code.padEnd(10)} ${unit.name}\n`);
        }
        if (result.approximate) {
          process.stdout.write('(town/street boundary is approximate 镇街边界为近似)\n');
        }
      } catch (error) {
        if (error instanceof AppError) throw new CliError(`${error.code}: ${error.message}`, 3);
        throw error;
      }
    });
}
