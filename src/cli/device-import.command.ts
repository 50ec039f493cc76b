import { Command, Option } from 'commander';
import { AppError } from '../errors.js';
import { detectFormat, type ImportFormat } from '../platform/import-file.js';
import type { ImportEncoding } from '../platform/import-text.js';
import type { Storage } from '../storage.js';
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import { CliError } from './cli-error.js';
import { withJurisdictions } from './context.js';
import { encodingOption, readImportFile } from './import-file.js';

/** What one registry's `import` subcommand says and does (sensors, cameras). */
export interface DeviceImportSpec {
  /** Plural noun in the report line: `imported 已导入: 3 cameras from …`. */
  noun: string;
  argument: string;
  description: string;
  /** Printed after the rejected rows, when there are some. */
  rejectedNote?: (rejected: number) => string;
  run: (
    jurisdictions: JurisdictionService,
    storage: Storage,
    text: string,
    format: ImportFormat,
    options: { dryRun: boolean },
  ) => Promise<{
    imported: number;
    rejected: { row: number; line?: number; id?: string; code: string; message: string }[];
  }>;
}

/**
 * Adds `<registry> import FILE` to a registry's command: the same options (format, encoding,
 * dry run), file reading and per-row report for every device registry.
 */
export function addDeviceImportCommand(parent: Command, spec: DeviceImportSpec): void {
  parent
    .command('import')
    .argument('<file>', spec.argument)
    .addOption(
      new Option('--format <format>', 'file format (default: by extension, then content)').choices([
        'csv',
        'json',
      ]),
    )
    .addOption(encodingOption())
    .option('--dry-run', 'check every row and report, but register nothing')
    .description(spec.description)
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
          report = await withJurisdictions((jurisdictions, storage) =>
            spec.run(jurisdictions, storage, text, format, { dryRun }),
          );
        } catch (error) {
          if (error instanceof AppError && error.code === 'INVALID_IMPORT_FILE') {
            throw new CliError(`${file}: ${error.message}`);
          }
          throw error;
        }
        const verb = dryRun ? 'would import 可导入' : 'imported 已导入';
        process.stdout.write(`${verb}: ${report.imported} ${spec.noun} from ${file}\n`);
        for (const r of report.rejected) {
          const where = `row ${r.row}${r.line !== undefined ? ` (line ${r.line})` : ''}`;
          process.stdout.write(
            `  rejected 未导入 ${where}${r.id ? ` ${r.id}` : ''}: ${r.code} — ${r.message}\n`,
          );
        }
        if (report.rejected.length > 0) {
          if (spec.rejectedNote) process.stdout.write(spec.rejectedNote(report.rejected.length));
          process.exitCode = 2;
        }
      },
    );
}
