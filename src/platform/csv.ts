/** One CSV record: its fields and the 1-based line it starts on (quoted fields may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A file that is not CSV at all (an unterminated quote); `line` is where the broken field starts. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Parses CSV as RFC 4180 describes it, plus what spreadsheets really write: LF or CRLF line ends,
 * a UTF-8 byte-order mark (Excel's "CSV UTF-8"), blank lines and all-empty rows (`,,,`) skipped.
 * A quote inside an unquoted field is kept as a character rather than failing the whole file.
 * Small on purpose: csv-parse is not a dependency, and sensor files are small (a city's
 * registry, not its readings).
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = input.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (input[i] === '"') {
        const opened = line;
        i += 1;
        for (;;) {
          const quote = input.indexOf('"', i);
          if (quote < 0) throw new CsvSyntaxError('a quoted field is never closed', opened);
          const chunk = input.slice(i, quote);
          field += chunk;
          line += countNewlines(chunk);
          if (input[quote + 1] === '"') {
            field += '"';
            i = quote + 2;
          } else {
            i = quote + 1;
            break;
          }
        }
        const next = input[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(`unexpected "${next}" after a closing quote`, line);
        }
      } else {
        let end = i;
        while (end < n && input[end] !== ',' && input[end] !== '\n' && input[end] !== '\r') end += 1;
        field = input.slice(i, end);
        i = end;
      }
      fields.push(field);
      if (input[i] === ',') {
        i += 1;
        continue;
      }
      // End of record: CRLF, LF, lone CR or end of input.
      if (input[i] === '\r') i += 1;
      if (input[i] === '\n') i += 1;
      line += 1;
      break;
    }
    if (fields.some((f) => f !== '')) records.push({ line: start, fields });
  }
  return records;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    // CRLF counts once: count LF, and CR only when no LF follows it.
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) count += 1;
  }
  return count;
}
