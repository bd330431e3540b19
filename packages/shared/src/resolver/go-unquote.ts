const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Go's strconv.Unquote for a double-quoted string (quotes included), which Alertmanager's UTF-8
 * matcher parser uses: `\a \b \f \n \r \t \v \\ \"`, `\xHH` and `\NNN` (bytes), `\uHHHH`,
 * `\UHHHHHHHH`; a raw newline or any other escape is an error, and the bytes must be valid UTF-8.
 * Throws an Error saying what is wrong.
 */
export function goUnquote(quoted: string): string {
  const body = quoted.slice(1, -1);
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    const cp = body.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (ch === '\n') throw new Error('raw newline inside quotes (write \\n)');
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new Error('trailing backslash');
    if (e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e]!);
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + len);
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) throw new Error(`invalid escape \\${e}${hex}`);
      const v = parseInt(hex, 16);
      if (e === 'x') bytes.push(v);
      else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new Error(`invalid code point \\${e}${hex}`);
      else bytes.push(...Buffer.from(String.fromCodePoint(v), 'utf8'));
      i += 2 + len;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new Error(`invalid octal escape \\${oct}`);
      bytes.push(parseInt(oct, 8));
      i += 4;
    } else {
      throw new Error(`invalid escape \\${String.fromCodePoint(body.codePointAt(i + 1)!)}`);
    }
  }
  try {
    return decoder.decode(Uint8Array.from(bytes));
  } catch {
    throw new Error('escapes do not form valid UTF-8');
  }
}
