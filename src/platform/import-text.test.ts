import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { decodeImport, importEncodingOf, numericCell } from './import-text.js';

const TEXT = 'id,名称,lon\r\nA-1,"天生路,""老街""口",１０６．４３\r\n';
const gb = iconv.encode(TEXT, 'gb18030');
const utf8 = Buffer.from(TEXT, 'utf8');
const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);

describe('decodeImport', () => {
  it('detects GB18030 (Excel "CSV" on Chinese Windows), UTF-8 and UTF-8 with a BOM', () => {
    expect(gb.equals(utf8)).toBe(false);
    expect(decodeImport(gb)).toEqual({ text: TEXT, encoding: 'gb18030' });
    expect(decodeImport(utf8)).toEqual({ text: TEXT, encoding: 'utf8' });
    expect(decodeImport(bom)).toEqual({ text: TEXT, encoding: 'utf8' });
  });

  it('reads GBK-only and four-byte GB18030 characters', () => {
    const text = '重庆市北碚区𠀀';
    expect(decodeImport(iconv.encode(text, 'gb18030')).text).toBe(text);
  });

  it('follows an explicit encoding, and refuses GB18030 bytes declared as UTF-8', () => {
    expect(decodeImport(gb, 'gb18030').text).toBe(TEXT);
    expect(decodeImport(utf8, 'utf8').text).toBe(TEXT);
    expect(() => decodeImport(gb, 'utf8')).toThrow(AppError);
    expect(() => decodeImport(gb, 'utf8')).toThrow(/not UTF-8/);
  });
});

describe('importEncodingOf', () => {
  it('reads the charset of the query, then of the Content-Type, else auto', () => {
    expect(importEncodingOf('text/csv')).toBe('auto');
    expect(importEncodingOf('text/csv; charset=GBK')).toBe('gb18030');
    expect(importEncodingOf('text/csv; charset="utf-8"')).toBe('utf8');
    expect(importEncodingOf('text/csv; charset=utf-8', 'gb18030')).toBe('gb18030');
    expect(() => importEncodingOf('text/csv; charset=big5')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE' }),
    );
  });
});

describe('numericCell', () => {
  it('reads full-width digits, signs, points and spaces as a person does', () => {
    expect(numericCell('１２３')).toBe('123');
    expect(numericCell('\u3000１０６．４３\u3000')).toBe('106.43');
    expect(numericCell('－２９．５')).toBe('-29.5');
    expect(numericCell('\u2212１')).toBe('-1');
    expect(numericCell('２０２６－１１－２５\u3000０８：００')).toBe('2026-11-25 08:00');
    expect(numericCell(' 12.5 ')).toBe('12.5');
  });
});
