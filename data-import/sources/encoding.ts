// Text encodings of source files: what a .cpg, a DBF language-driver byte or --encoding mean.

/** The encodings we decode (WHATWG labels understood by TextDecoder). */
export type TextEncodingName = 'utf-8' | 'windows-1252' | 'iso-8859-1' | 'iso-8859-15';

/** Where the encoding we use came from, for the summary. */
export type EncodingOrigin = 'cpg' | 'dbf-ldid' | 'option' | 'default';

export interface ResolvedEncoding {
  encoding: TextEncodingName;
  origin: EncodingOrigin;
}

export class EncodingError extends Error {}

/** Normalises an encoding name as written in .cpg files or given by users (`UTF8`, `65001`, `ANSI 1252`, `88591`, `LATIN1`…). */
export function parseEncodingName(raw: string): TextEncodingName | undefined {
  const compact = raw.trim().toLowerCase().replace(/[\s_-]/g, '');
  // "ANSI" alone is the Windows code page of Western Europe, as ArcGIS writes it.
  if (compact === 'ansi') return 'windows-1252';
  const key = compact.replace(/^ansi/, '');
  if (['utf8', '65001', 'unicode'].includes(key)) return 'utf-8';
  if (['1252', 'cp1252', 'windows1252', 'win1252'].includes(key)) return 'windows-1252';
  if (['88591', 'iso88591', 'latin1', 'l1', '28591'].includes(key)) return 'iso-8859-1';
  if (['885915', 'iso885915', 'latin9', '28605'].includes(key)) return 'iso-8859-15';
  return undefined;
}

/** DBF language-driver ids (byte 29) that name an encoding we decode. 0x57 and 0x03 mean Windows ANSI. */
const LDID: Record<number, TextEncodingName> = { 0x03: 'windows-1252', 0x57: 'windows-1252', 0x58: 'windows-1252', 0x59: 'windows-1252' };

/**
 * Picks a shapefile's encoding: the .cpg when present, else the DBF language-driver byte, else
 * `--encoding`, else UTF-8 decoded strictly (invalid bytes then fail the import instead of
 * arriving as mojibake).
 */
export function resolveDbfEncoding(cpg: string | undefined, ldid: number, option: string | undefined): ResolvedEncoding {
  if (cpg !== undefined && cpg.trim() !== '') {
    const encoding = parseEncodingName(cpg);
    if (!encoding) throw new EncodingError(`the .cpg names an encoding we cannot read ("${cpg.trim()}"); supported: UTF-8, CP1252, ISO-8859-1, ISO-8859-15`);
    return { encoding, origin: 'cpg' };
  }
  const fromLdid = LDID[ldid];
  if (fromLdid) return { encoding: fromLdid, origin: 'dbf-ldid' };
  if (option) return { encoding: requireEncoding(option), origin: 'option' };
  return { encoding: 'utf-8', origin: 'default' };
}

/** Parses `--encoding`, throwing a message that lists what is supported. */
export function requireEncoding(raw: string): TextEncodingName {
  const encoding = parseEncodingName(raw);
  if (!encoding) throw new EncodingError(`unknown encoding "${raw}"; supported: UTF-8, CP1252 (windows-1252), ISO-8859-1, ISO-8859-15`);
  return encoding;
}

/** Windows-1252 characters of bytes 0x80–0x9F (WHATWG index); the other bytes are Latin-1. */
const CP1252_HIGH = String.fromCodePoint(
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
);
const C1_RANGE = /[\x80-\x9f]/g;

/** Decodes `buf[start, end)` into text. */
export type TextDecodeFn = (buf: Buffer, start?: number, end?: number) => string;

/**
 * A decoder for one encoding. UTF-8 is decoded strictly so that a file in another encoding fails
 * loudly; single-byte encodings cannot be invalid. Windows-1252 is decoded here rather than by
 * TextDecoder, which since Node 20.18.3 decodes its bytes 0x80–0x9F as Latin-1 control characters
 * (https://github.com/nodejs/node/issues/60888): "—" and "’" would arrive as garbage.
 */
export function createTextDecoder(encoding: TextEncodingName): TextDecodeFn {
  if (encoding === 'iso-8859-1') return (buf, start = 0, end = buf.length) => buf.toString('latin1', start, end);
  if (encoding === 'windows-1252') {
    return (buf, start = 0, end = buf.length) => buf.toString('latin1', start, end).replace(C1_RANGE, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
  }
  const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
  return (buf, start = 0, end = buf.length) => {
    // ASCII, the common case, needs no decoder.
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) return decoder.decode(buf.subarray(start, end));
    }
    return buf.toString('latin1', start, end);
  };
}
