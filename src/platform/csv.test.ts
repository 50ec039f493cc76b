import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from './csv.js';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  it('splits fields and records, with LF or CRLF, with or without a final newline', () => {
    expect(fields('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(fields('a,b\r\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fields('a,,\n')).toEqual([['a', '', '']]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, and keeps start lines', () => {
    const records = parseCsv('id,note\nS1,"a, ""quoted""\nsecond line"\r\nS2,plain\n');
    expect(records).toEqual([
      { line: 1, fields: ['id', 'note'] },
      { line: 2, fields: ['S1', 'a, "quoted"\nsecond line'] },
      { line: 4, fields: ['S2', 'plain'] },
    ]);
  });

  it('keeps Chinese text and JSON in quoted fields intact', () => {
    expect(fields('name,metadata\n两江隧道,"{""lane"":2}"\n')[1]).toEqual(['两江隧道', '{"lane":2}']);
  });

  it("strips Excel's UTF-8 byte-order mark and skips blank and all-empty rows", () => {
    const records = parseCsv('\uFEFFid,type\n\nS1,x\n,,\n\r\nS2,y\n');
    expect(records.map((r) => r.fields[0])).toEqual(['id', 'S1', 'S2']);
    expect(records.map((r) => r.line)).toEqual([1, 3, 6]);
  });

  it('keeps a quote inside an unquoted field as a character', () => {
    expect(fields('a 5" pipe,b\n')).toEqual([['a 5" pipe', 'b']]);
  });

  it('rejects an unterminated quote and text after a closing quote, naming the line', () => {
    expect(() => parseCsv('id\n"S1\nS2\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('id\n"S1\nS2\n')).toThrow(/line 2/);
    expect(() => parseCsv('id,x\n"S1"x,2\n')).toThrow(/after a closing quote/);
  });

  it('round-trips any table written the RFC 4180 way', () => {
    const cell = fc.string({
      unit: fc.constantFrom('a', '中', ',', '"', '\n', '\r\n', ' ', '1'),
      maxLength: 6,
    });
    const table = fc
      .integer({ min: 1, max: 4 })
      .chain((width) =>
        fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 5 }),
      )
      // All-empty rows are skipped by design; keep one non-empty cell per row.
      .map((rows) => rows.map((row) => ['x', ...row]));
    fc.assert(
      fc.property(table, (rows) => {
        const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
        const text = rows.map((row) => row.map(quote).join(',')).join('\r\n');
        expect(fields(text)).toEqual(rows);
      }),
    );
  });
});
