/**
 * Go (RE2) regular expressions translated into JavaScript ones, so that `=~` matchers written
 * for Alertmanager mean the same thing here. Alertmanager compiles `^(?:re)$`; so do we, with
 * the `u` flag (code points, like Go's UTF-8 matching).
 *
 * Translated to keep Go's meaning: `.` (Go excludes only "\n"; JS also excludes "\r",
 * U+2028, U+2029), `\s` (Go: ASCII [\t\n\f\r ] only), `\A` `\z`, `\a`, `\x{10FFFF}`, octal
 * escapes, `\Q…\E`, `\pL` / `\p{Greek}` / `\p{^Greek}`, POSIX `[[:alpha:]]`, escaped
 * punctuation (`\-` `\@` are literals in Go, errors in JS with `u`), a `]` first in a class,
 * and `{` `}` `]` that are not part of a repeat or class (literals in Go, errors in JS with `u`).
 * Leading flags `(?i)` `(?s)` `(?m)` become JS flags.
 *
 * Rejected, because Node 20 cannot express them or Go rejects them too: flags anywhere but at
 * the start, flag groups `(?i:…)`, `(?U)`, lookaround, backreferences, negated POSIX classes
 * and `\S` inside a bracket class, repeat counts above 1000.
 *
 * Not the same: JS runs a backtracking engine, Go a linear one. A pattern like `(a+)+$` can
 * take exponential time on a hostile label value, and V8's linear fallback engine does not
 * take `u` patterns in Node 20. Routes come from operators: keep their regexes free of nested
 * quantifiers. (The re2-wasm package would give exact RE2 semantics in linear time.)
 */
export function compileGoRegexp(pattern: string): RegExp {
  return new GoRegexpTranslator(pattern).compile();
}

/** Error from translating a Go regexp; `offset` is the code-unit offset in the pattern. */
export class GoRegexpError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'GoRegexpError';
  }
}

const MAX_REPEAT = 1000;
// Go's \s; JS's \s also has \v and every Unicode space.
const GO_SPACE = '\\t\\n\\f\\r ';
const GENERAL_CATEGORIES = new Set(
  'Any C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};
// Escapable with a backslash under the u flag; '-' only inside a class.
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/');

class GoRegexpTranslator {
  private pos = 0;
  private out = '';
  private dotAll = false;
  private flags = 'u';

  constructor(private readonly src: string) {}

  compile(): RegExp {
    this.leadingFlags();
    while (this.pos < this.src.length) this.atom();
    // With the m flag JS's ^ and $ become line anchors; the whole-value anchors must not.
    const body = this.flags.includes('m') ? `(?<![\\s\\S])(?:${this.out})(?![\\s\\S])` : `^(?:${this.out})$`;
    try {
      return new RegExp(body, this.flags);
    } catch (err) {
      // V8's message quotes the translated source; keep only the reason.
      throw new GoRegexpError((err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, ''), 0);
    }
  }

  private fail(message: string, at = this.pos): never {
    throw new GoRegexpError(message, at);
  }

  private leadingFlags(): void {
    for (;;) {
      const m = /^\(\?([imsU]*)(?:-([imsU]*))?\)/.exec(this.src.slice(this.pos));
      if (!m || (m[1] === '' && m[2] === undefined)) return;
      const on = m[1] ?? '';
      if (on.includes('U') || (m[2] ?? '').includes('U')) this.fail('the ungreedy flag (?U) is not supported');
      for (const f of on) {
        if (f === 's') this.dotAll = true;
        else if (!this.flags.includes(f)) this.flags += f;
      }
      for (const f of m[2] ?? '') {
        if (f === 's') this.dotAll = false;
        else this.flags = this.flags.replace(f, '');
      }
      this.pos += m[0].length;
    }
  }

  private atom(): void {
    const start = this.pos;
    const c = this.char();
    switch (c) {
      case '\\':
        this.out += this.escape(false);
        return;
      case '[':
        this.out += this.bracketClass();
        return;
      case '.':
        this.out += this.dotAll ? '[\\s\\S]' : '[^\\n]';
        return;
      case '(':
        this.out += this.groupOpen(start);
        return;
      case '{': {
        const rep = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(start));
        if (!rep) {
          this.out += '\\{';
          return;
        }
        const min = Number(rep[1]);
        const max = rep[3] === undefined || rep[3] === '' ? min : Number(rep[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT) this.fail(`repeat count above ${MAX_REPEAT}: ${rep[0]}`, start);
        if (rep[2] !== undefined && rep[3] !== '' && max < min) this.fail(`invalid repeat count: ${rep[0]}`, start);
        this.pos = start + rep[0].length;
        this.out += rep[0];
        return;
      }
      case '}':
      case ']':
        this.out += `\\${c}`;
        return;
      default:
        this.out += c;
    }
  }

  private groupOpen(start: number): string {
    if (this.src[this.pos] !== '?') return '(?:'; // captures are never read
    const rest = this.src.slice(this.pos + 1);
    if (rest.startsWith(':')) {
      this.pos += 2;
      return '(?:';
    }
    const named = /^(?:P?<)([A-Za-z0-9_]+)>/.exec(rest);
    if (named) {
      this.pos += 1 + named[0].length;
      return '(?:';
    }
    if (/^(?:=|!|<=|<!)/.test(rest)) this.fail('lookaround assertions are not supported (RE2 has none)', start);
    if (/^[imsU-]+[:)]/.test(rest)) {
      this.fail('inline flags are only supported at the very start of the pattern, e.g. "(?i)foo"', start);
    }
    return this.fail('unsupported group syntax "(?"', start);
  }

  private char(): string {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) this.fail('unexpected end of pattern');
    const c = String.fromCodePoint(cp);
    this.pos += c.length;
    return c;
  }

  /** After a backslash; returns JS source valid both inside and outside a class (unless noted). */
  private escape(inClass: boolean): string {
    const at = this.pos - 1;
    if (this.pos >= this.src.length) this.fail('trailing backslash at end of pattern', at);
    const c = this.char();
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'f':
      case 't':
      case 'n':
      case 'r':
      case 'v':
        return `\\${c}`;
      case 'a':
        return '\\x07';
      case 's':
        return inClass ? GO_SPACE : `[${GO_SPACE}]`;
      case 'S':
        if (inClass) this.fail('\\S inside a bracket class is not supported; use [^...] instead', at);
        return `[^${GO_SPACE}]`;
      case 'b':
      case 'B':
        if (inClass) this.fail(`\\${c} is not valid inside a bracket class`, at);
        return `\\${c}`;
      case 'A':
      case 'z':
        if (inClass) this.fail(`\\${c} is not valid inside a bracket class`, at);
        return c === 'A' ? '(?<![\\s\\S])' : '(?![\\s\\S])';
      case 'p':
      case 'P':
        return this.unicodeClass(c === 'P', at);
      case 'Q':
        if (inClass) this.fail('\\Q is not valid inside a bracket class', at);
        return this.quoted();
      case 'x':
        return this.hexEscape(at);
      default:
        break;
    }
    if (c >= '0' && c <= '7') return this.octal(c, at);
    if (/^[0-9A-Za-z]$/.test(c)) this.fail(`invalid escape \\${c}`, at);
    if (c.codePointAt(0)! >= 0x80) this.fail(`invalid escape \\${c}`, at);
    return literal(c, inClass);
  }

  private quoted(): string {
    const end = this.src.indexOf('\\E', this.pos);
    const text = end < 0 ? this.src.slice(this.pos) : this.src.slice(this.pos, end);
    this.pos = end < 0 ? this.src.length : end + 2;
    return Array.from(text, (ch) => literal(ch)).join('');
  }

  private hexEscape(at: number): string {
    const braced = /^\{([0-9A-Fa-f]+)\}/.exec(this.src.slice(this.pos));
    if (braced) {
      const cp = parseInt(braced[1]!, 16);
      if (cp > 0x10ffff) this.fail(`escape \\x{${braced[1]}} is beyond Unicode`, at);
      this.pos += braced[0].length;
      return `\\u{${cp.toString(16)}}`;
    }
    const two = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.pos));
    if (!two) this.fail('invalid escape \\x: expected two hex digits or \\x{...}', at);
    this.pos += 2;
    return `\\x${two[0]}`;
  }

  private octal(first: string, at: number): string {
    let digits = first;
    while (digits.length < 3 && /[0-7]/.test(this.src[this.pos] ?? '')) digits += this.src[this.pos++];
    // Go reads a lone \1..\7 as a backreference and rejects it.
    if (digits.length === 1 && first !== '0') this.fail(`backreference \\${first} is not supported`, at);
    return `\\u{${parseInt(digits, 8).toString(16)}}`;
  }

  private unicodeClass(negated: boolean, at: number): string {
    let name: string;
    if (this.src[this.pos] === '{') {
      const end = this.src.indexOf('}', this.pos);
      if (end < 0) this.fail('missing } in \\p{...}', at);
      name = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      name = this.char();
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (!/^[A-Za-z_]+$/.test(name)) this.fail(`invalid Unicode class name "${name}"`, at);
    const body = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${body}}`;
  }

  private bracketClass(): string {
    const open = this.pos - 1;
    let out = '[';
    if (this.src[this.pos] === '^') {
      out += '^';
      this.pos++;
    }
    // Go (like POSIX) reads a ']' right after '[' or '[^' as a literal.
    if (this.src[this.pos] === ']') {
      out += '\\]';
      this.pos++;
    }
    for (;;) {
      if (this.pos >= this.src.length) this.fail('missing closing ] of bracket class', open);
      const at = this.pos;
      const c = this.char();
      if (c === ']') return `${out}]`;
      if (c === '\\') {
        out += this.escape(true);
      } else if (c === '[' && this.src[this.pos] === ':') {
        const posix = /^:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
        if (!posix) {
          out += '\\[';
          continue;
        }
        if (posix[1]) this.fail(`negated POSIX class [:^${posix[2]}:] is not supported`, at);
        const ranges = POSIX_CLASSES[posix[2]!];
        if (!ranges) this.fail(`unknown POSIX class [:${posix[2]}:]`, at);
        out += ranges;
        this.pos += posix[0].length;
      } else if (c === '[') {
        out += '\\[';
      } else {
        out += c;
      }
    }
  }
}

function literal(c: string, inClass = false): string {
  return JS_SYNTAX.has(c) || (inClass && c === '-') ? `\\${c}` : c;
}
