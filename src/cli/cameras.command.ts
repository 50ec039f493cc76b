import { Command, Option } from 'commander';
import { AppError } from '../errors.js';
import { CameraService } from '../devices/camera.service.js';
import { detectFormat, type ImportFormat } from '../platform/import-file.js';
import type { ImportEncoding } from '../platform/import-text.js';
import { CliError } from './cli-error.js';
import { withJurisdictions } from './context.js';
import { encodingOption, readImportFile } from './import-file.js';

/** `cityops cameras import`: the AI camera registry (视频智能识别点位) in bulk, like `sensors import`. */
export function camerasCommand(): Command {
  const cameras = new Command('cameras').description('camera registry 视频点位台账');
  cameras
    .command('import')
    .argument('<file>', 'CSV with header id,lon,lat[,name][,department][,metadata][,meta.<key>…], or JSON')
    .addOption(
      new Option('--format <format>', 'file format (default: by extension, then content)').choices([
        'csv',
        'json',
      ]),
    )
    .addOption(encodingOption())
    .option('--dry-run', 'check every row and report, but register nothing')
    .description(
      'register cameras in bulk 批量导入视频点位\n' +
        'Each row is checked alone; valid rows are registered in one transaction, existing ids are never\n' +
        'overwritten. Exit code 2 means some rows were rejected.',
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
          report = await withJurisdictions(async (jurisdictions, storage) =>
            new CameraService(storage.repositories.cameras, jurisdictions).import(text, format, { dryRun }),
          );
        } catch (error) {
          if (error instanceof AppError && error.code === 'INVALID_IMPORT_FILE') {
            throw new CliError(`${file}: ${error.message}`);
          }
          throw error;
        }
        const verb = dryRun ? 'would import 可导入' : 'imported 已导入';
        process.stdout.write(`${verb}: ${report.imported} cameras from ${file}\n`);
        for (const r of report.rejected) {
          const where = `row ${r.row}${r.line !== undefined ? ` (line ${r.line})` : ''}`;
          process.stdout.write(
            `  rejected 未导入 ${where}${r.id ? ` ${r.id}` : ''}: ${r.code} — ${r.message}\n`,
          );
        }
        if (report.rejected.length > 0) process.exitCode = 2;
      },
    );
  return cameras;
}
