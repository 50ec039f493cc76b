import fs from 'node:fs';
import { Option } from 'commander';
import { AppError } from '../errors.js';
import { decodeImport, IMPORT_ENCODINGS, type ImportEncoding } from '../platform/import-text.js';
import { CliError } from './cli-error.js';

/** `--encoding utf8|gb18030|auto`, shared by every `… import` command. */
export function encodingOption(): Option {
  return new Option(
    '--encoding <encoding>',
    'file encoding 文件编码: auto detects UTF-8 (BOM or not) or GB18030/GBK (Excel "CSV" on Chinese Windows)',
  )
    .choices(IMPORT_ENCODINGS)
    .default('auto');
}

/** Reads and decodes an import file; an unreadable or wrongly declared file is a CliError naming it. */
export function readImportFile(file: string, encoding: ImportEncoding = 'auto'): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return decodeImport(bytes, encoding).text;
  } catch (error) {
    if (error instanceof AppError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
}
