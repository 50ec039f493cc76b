import iconv from 'iconv-lite';
import { AppError } from '../errors.js';

/**
 * Import files as people save them (导入文件编码). Excel on a Chinese Windows saves "CSV" in the
 * ANSI code page, which is GBK (GB18030 is its superset, so one decoder reads both); "CSV UTF-8"
 * adds a byte-order mark; other tools write UTF-8 without one. Every import (sensors, cameras,
 * the 12345 hotline and those to come) decodes its bytes here and reads its numeric cells with
 * `numericCell`, so they all accept the same files.
 */

/** What an import may be told its file is: `auto` detects (BOM → UTF-8, valid UTF-8, else GB18030). */
export const IMPORT_ENCODINGS = ['auto', 'utf8', 'gb18030'] as const;

/** One of IMPORT_ENCODINGS. */
export type ImportEncoding = (typeof IMPORT_ENCODINGS)[number];

/** An import file's text and the encoding it was read in. */
export interface DecodedImport {
  text: string;
  encoding: 'utf8' | 'gb18030';
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Decodes an import file. `auto`: a UTF-8 BOM means UTF-8; bytes that are valid UTF-8 are UTF-8
 * (plain ASCII reads the same either way); anything else is GB18030. A file declared `utf8` that
 * is not is refused (INVALID_IMPORT_FILE) rather than read with replacement characters.
 */
export function decodeImport(bytes: Uint8Array, encoding: ImportEncoding = 'auto'): DecodedImport {
  const bom = UTF8_BOM.every((b, i) => bytes[i] === b);
  if (encoding === 'gb18030' && !bom) return { text: iconv.decode(Buffer.from(bytes), 'gb18030'), encoding };
  const utf8 = strictUtf8(bom ? bytes.subarray(3) : bytes);
  if (utf8 !== undefined) return { text: utf8, encoding: 'utf8' };
  if (encoding === 'utf8') {
    throw new AppError(
      'INVALID_IMPORT_FILE',
      'The file is not UTF-8 (saved as GBK/GB18030 by Excel?); send it as gb18030 or auto.',
    );
  }
  return { text: iconv.decode(Buffer.from(bytes), 'gb18030'), encoding: 'gb18030' };
}

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

// GBK, GB2312 and CP936 are subsets of GB18030: decoding them as GB18030 gives the same text.
const CHARSETS = new Map<string, ImportEncoding>([
  ['utf-8', 'utf8'],
  ['utf8', 'utf8'],
  ['gb18030', 'gb18030'],
  ['gbk', 'gb18030'],
  ['gb2312', 'gb18030'],
  ['cp936', 'gb18030'],
  ['auto', 'auto'],
]);

/**
 * The encoding an HTTP import names: `?charset=` wins over the Content-Type's `charset=`; neither
 * means auto. An unknown charset is UNSUPPORTED_MEDIA_TYPE (415).
 */
export function importEncodingOf(contentType: string | undefined, query?: string): ImportEncoding {
  const fromHeader = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
  const name = query ?? fromHeader;
  if (name === undefined) return 'auto';
  const encoding = CHARSETS.get(name.toLowerCase());
  if (encoding === undefined) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Import files are UTF-8 or GB18030 (GBK); the charset "${name.slice(0, 40)}" is not supported.`,
    );
  }
  return encoding;
}

/**
 * A numeric cell as a person reads it: full-width forms (１２３．５, －, ＋, ｅ) become ASCII,
 * the ideographic space (全角空格) and the minus sign U+2212 are what they look like, and the
 * result is trimmed. Only for cells that hold numbers or times: text cells keep their characters.
 */
export function numericCell(cell: string): string {
  let out = '';
  for (const ch of cell) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xff01 && code <= 0xff5e) out += String.fromCharCode(code - 0xfee0);
    else if (code === 0x3000) out += ' ';
    else if (code === 0x2212) out += '-';
    else out += ch;
  }
  return out.trim();
}
