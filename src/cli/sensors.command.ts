import { Command } from 'commander';
import { SENSOR_DOMAINS, SENSOR_TYPES, isSensorDomain } from '../devices/sensor-types.js';
import { SensorService } from '../devices/sensor.service.js';
import { CliError } from './cli-error.js';
import { addDeviceImportCommand } from './device-import.command.js';

/** `cityops sensors …`: the sensor registry — bulk import, and the type catalog. */
export function sensorsCommand(): Command {
  const sensors = new Command('sensors').description('sensor registry 传感器台账');
  addDeviceImportCommand(sensors, {
    noun: 'sensors',
    argument: 'CSV with a header row, or a JSON array of sensors (see data/samples/README.md)',
    description:
      'register sensors in bulk 批量导入传感器\n' +
      'Each row is checked alone; valid rows are registered in one transaction, existing ids are never\n' +
      'overwritten. Exit code 2 means some rows were rejected. A running server sees them when it restarts.',
    rejectedNote: (n) =>
      `rejected 未导入: ${n}. Registered sensors stay as they are; fix the other rows and import again.\n`,
    run: async (jurisdictions, storage, text, format, options) => {
      const service = await SensorService.create({ repository: storage.repositories.sensors, jurisdictions });
      return service.import(text, format, options);
    },
  });
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
