import { goUnquote } from './go-unquote';
import { newMatcher, type MatchType, type Matcher } from './matcher';
import { MatcherSyntaxError } from './matcher-syntax-error';

/*
 * A port of Alertmanager's UTF-8 matchers parser (matcher/parse: lexer.go, parse.go). Names and
 * values are double-quoted (Go escapes) or unquoted runs of anything but whitespace and
 * {}!=~,\"'` ; braces and a trailing comma are optional. Columns count code points from 0.
 */

type Kind = 'eof' | '{' | '}' | ',' | MatchType | 'quoted' | 'unquoted';

interface Token {
  kind: Kind;
  value: string;
  start: number;
  end: number;
}

// Go's unicode.IsSpace.
const SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
const isReserved = (c: string): boolean => SPACE.test(c) || '{}!=~,\\"\'`'.includes(c);

class Lexer {
  private column = 0;
  private readonly chars: string[];

  constructor(input: string) {
    this.chars = Array.from(input);
  }

  get columnsRead(): number {
    return this.column;
  }

  peek(): Token {
    const saved = this.column;
    try {
      return this.scan();
    } finally {
      this.column = saved;
    }
  }

  scan(): Token {
    while (this.column < this.chars.length) {
      const start = this.column;
      const c = this.chars[start]!;
      if (c === '{' || c === '}' || c === ',') return this.emit(c, start, start + 1);
      if (c === '=' || c === '!') return this.operator(start);
      if (c === '"') return this.quoted(start);
      if (!isReserved(c)) {
        let end = start;
        while (end < this.chars.length && !isReserved(this.chars[end]!)) end++;
        return this.emit('unquoted', start, end);
      }
      if (!SPACE.test(c)) throw new MatcherSyntaxError(`${c}: invalid input`, start);
      this.column++;
    }
    return { kind: 'eof', value: '', start: this.column, end: this.column };
  }

  private operator(start: number): Token {
    const c = this.chars[start];
    const n = this.chars[start + 1];
    if (c === '=') return n === '~' ? this.emit('=~', start, start + 2) : this.emit('=', start, start + 1);
    if (n === '=') return this.emit('!=', start, start + 2);
    if (n === '~') return this.emit('!~', start, start + 2);
    const what = n === undefined ? 'unexpected end of input' : `${c}${n}`;
    throw new MatcherSyntaxError(`${what}: expected one of '=~' after '!'`, start);
  }

  private quoted(start: number): Token {
    let escaped = false;
    for (let i = start + 1; i < this.chars.length; i++) {
      const c = this.chars[i];
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') return this.emit('quoted', start, i + 1);
    }
    const text = this.chars.slice(start).join('');
    throw new MatcherSyntaxError(`${text}: missing end "`, start);
  }

  private emit(kind: Kind, start: number, end: number): Token {
    this.column = end;
    return { kind, value: this.chars.slice(start, end).join(''), start, end };
  }
}

/** Parses zero or more matchers with Alertmanager's UTF-8 grammar; throws MatcherSyntaxError. */
export function parseUtf8Matchers(input: string): Matcher[] {
  const lexer = new Lexer(input);
  const matchers: Matcher[] = [];

  const next = (context: string, ...kinds: Kind[]): Token => {
    let t: Token;
    try {
      t = lexer.peek();
    } catch (err) {
      const e = err as MatcherSyntaxError;
      throw new MatcherSyntaxError(`${e.message}: ${context}`, e.column);
    }
    if (t.kind === 'eof' || kinds.includes(t.kind)) return t;
    throw new MatcherSyntaxError(`unexpected ${t.value}: ${context}`, t.start);
  };
  const consume = (): Token => lexer.scan();
  const unquote = (t: Token, what: string): string => {
    if (t.kind !== 'quoted') return t.value;
    try {
      return goUnquote(t.value);
    } catch (err) {
      throw new MatcherSyntaxError(`${t.value}: invalid ${what} (${(err as Error).message})`, t.start);
    }
  };
  const endOfInput = (what: string): MatcherSyntaxError =>
    new MatcherSyntaxError(`end of input: ${what}`, lexer.columnsRead);

  const first = next('expected label name', '{', '}', 'quoted', 'unquoted');
  if (first.kind === 'eof') return matchers;
  const hasOpenBrace = first.kind === '{';
  if (hasOpenBrace) consume();

  const close = (): Matcher[] => {
    const t = next(hasOpenBrace ? 'expected close brace' : 'expected end of input', '}');
    if (t.kind === 'eof') {
      if (hasOpenBrace) throw endOfInput('expected close brace');
      return matchers;
    }
    consume(); // '}'
    if (!hasOpenBrace) throw new MatcherSyntaxError(`}: expected opening brace`, t.start);
    next('expected end of input'); // throws unless nothing follows
    return matchers;
  };

  let t = next('expected label name', '}', 'quoted', 'unquoted');
  for (;;) {
    if (t.kind === 'eof' || t.kind === '}') return close();
    const nameTok = consume();
    const name = unquote(nameTok, 'label name');
    if (name === '') throw new MatcherSyntaxError(`label name must not be empty`, nameTok.start);

    const opTok = next("expected an operator such as '=', '!=', '=~' or '!~'", '=', '!=', '=~', '!~');
    if (opTok.kind === 'eof') throw endOfInput("expected an operator such as '=', '!=', '=~' or '!~'");
    consume();
    const type = opTok.kind as MatchType;

    const valueTok = next('expected label value', 'quoted', 'unquoted');
    if (valueTok.kind === 'eof') throw endOfInput('expected label value');
    consume();
    const value = unquote(valueTok, 'label value');
    try {
      matchers.push(newMatcher(type, name, value));
    } catch (err) {
      const msg = `${valueTok.value}: invalid regular expression: ${(err as Error).message}`;
      throw new MatcherSyntaxError(msg, valueTok.start, true);
    }

    const after = next('expected a comma or close brace', ',', '}');
    if (after.kind !== ',') return close();
    consume();
    t = next('expected a matcher or close brace after comma', '}', 'quoted', 'unquoted');
  }
}
