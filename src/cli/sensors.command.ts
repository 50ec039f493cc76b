import { Command, Option } from 'commander';
import { AppError } from '../errors.js';
import { detectFormat, type ImportFormat } from '../platform/import-file.js';
import { SENSOR_DOMAINS, SENSOR_TYPES, isSensorDomain } from '../devices/sensor-types.js';
import { SensorService } from '../devices/sensor.service.js';
import { CliError } from './cli-error.js';
import { withJurisdictions } from './context.js';
import { encodingOption, readImportFile } from './import-file.js';
import type { ImportEncoding } from '../platform/import-text.js';

/** `cityops sensors …`: the sensor registry — bulk import, and the type catalog. */
export function sensorsCommand(): Command {
  const sensors = new Command('sensors').description('sensor registry 传感器台账');
  sensors
    .command('import')
    .argument('<file>', 'CSV with a header row, or a JSON array of sensors (see data/samples/README.md)')
    .addOption(
      new Option('--format <format>', 'file format (default: by extension, then content)').choices([
        'csv',
        'json',
      ]),
    )
    .addOption(encodingOption())
    .option('--dry-run', 'check every row and report, but register nothing')
    .description(
      'register sensors in bulk 批量导入传感器\n' +
        'Each row is checked alone; valid rows are registered in one transaction, existing ids are never\n' +
        'overwritten. Exit code 2 means some rows were rejected. A running server sees them when it restarts.',
    )
    .action(
      async (
        file: string,
        options: { format?: ImportFormat; encoding?: ImportEncoding; dryRun?: boolean },
      ) => {
        const text = readImportFile(file, options.encoding);
        const format = options.format ?? detectFormat(file, text);
        const dryRun = options.dryRun ?? false;
        let report;
        try {
          report = await withJurisdictions(async (jurisdictions, storage) => {
            const service = await SensorService.create({
              repository: storage.repositories.sensors,
              jurisdictions,
            });
            return service.import(text, format, { dryRun });
          });
        } catch (error) {
          if (error instanceof AppError && error.code === 'INVALID_IMPORT_FILE') {
            throw new CliError(`${file}: ${error.message}`);
          }
          throw error;
        }
        const verb = dryRun ? 'would import 可导入' : 'imported 已导入';
        process.stdout.write(`${verb}: ${report.imported} sensors from ${file}\n`);
        for (const r of report.rejected) {
          const where = `row ${r.row}${r.line !== undefined ? ` (line ${r.line})` : ''}`;
          process.stdout.write(
            `  rejected 未导入 ${where}${r.id ? ` ${r.id}` : ''}: ${r.code} — ${r.message}\n`,
          );
        }
        if (report.rejected.length > 0) {
          process.stdout.write(
            `rejected 未导入: ${report.rejected.length}. Registered sensors stay as they are; fix the other rows and import again.\n`,
          );
          process.exitCode = 2;
        }
      },
    );
  sensors
    .command('types')
    .description('list the sensor type catalog 传感器类型目录')
    .option('--domain <domain>', `only one domain: ${SENSOR_DOMAINS.map((d) => d.code).join(', ')}`)
    .action((options: { domain?: string }) => {
      if (options.domain !== undefined && !isSensorDomain(options.domain)) {
        throw new CliError(
          `"${options.domain}" is not a domain; use one of ${SENSOR_DOMAINS.map((d) => d.code).join(', ')}`,
        );
      }
      for (const domain of SENSOR_DOMAINS) {
        if (options.domain !== undefined && domain.code !== options.domain) continue;
        process.stdout.write(`${domain.code} ${domain.name} (${domain.nameEn})\n`);
        for (const t of SENSOR_TYPES.filter((x) => x.domain === domain.code)) {
          const range = `${t.normal.min ?? '…'}–${t.normal.max ?? '…'} ${t.unit}`;
          process.stdout.write(
            `  ${t.code.padEnd(30)} ${t.name}  normal ${range}, every ${t.intervalSeconds} s\n`,
          );
        }
      }
    });
  return sensors;
}
