import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { EVERYTHING } from '../jurisdictions/visibility.js';
import { CaseService } from '../cases/case.service.js';
import { AppError } from '../errors.js';
import { caseServicePort } from '../intake/case-port.adapter.js';
import { HotlineImport } from '../intake/hotline-import.js';
import { CliError } from './cli-error.js';
import { withJurisdictions } from './context.js';
import { encodingOption, readImportFile } from './import-file.js';
import type { ImportEncoding } from '../platform/import-text.js';

/** `cityops cases …`: case intake from files. */
export function casesCommand(): Command {
  const cases = new Command('cases').description('cases 案件');
  cases
    .command('import-hotline')
    .argument(
      '<file>',
      'a 12345 CSV export (UTF-8 or GB18030/GBK), header record_no,category,lon,lat,description,reported_at,…',
    )
    .addOption(encodingOption())
    .description(
      'import 12345 hotline records as cases 热线工单导入\n' +
        'Each row becomes or joins a case on its own; refused rows are listed with row and line numbers.\n' +
        'Record numbers imported before are refused, so importing the same export twice is safe. Exit code 2\n' +
        'means some rows were refused.',
    )
    .action(async (file: string, options: { encoding?: ImportEncoding }) => {
      const text = readImportFile(file, options.encoding);
      const bar = new cliProgress.SingleBar(
        { format: 'importing 导入 [{bar}] {value}/{total} rows', stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      let started = false;
      let report;
      try {
        report = await withJurisdictions(async (jurisdictions, storage) => {
          const service = await CaseService.create({ repository: storage.repositories.cases, jurisdictions });
          const hotline = new HotlineImport({
            repository: storage.repositories.intake,
            cases: caseServicePort(service, () => jurisdictions.units),
          });
          return hotline.import(text, EVERYTHING, (done, total) => {
            if (!started) {
              bar.start(total, 0);
              started = true;
            }
            bar.update(done);
          });
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'INVALID_IMPORT_FILE') {
          throw new CliError(`${file}: ${error.message}`);
        }
        throw error;
      } finally {
        if (started) bar.stop();
      }
      process.stdout.write(
        `imported 已导入: ${report.opened} new cases, ${report.attached} joined open cases, from ${file}\n`,
      );
      for (const r of report.rejected) {
        process.stdout.write(
          `  rejected 未导入 row ${r.row} (line ${r.line})${r.recordNo ? ` ${r.recordNo}` : ''}: ${r.code} — ${r.message}\n`,
        );
      }
      if (report.rejected.length > 0) process.exitCode = 2;
    });
  return cases;
}
