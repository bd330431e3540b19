/*
 * Weights in rough units of re2-wasm compile time (~0.05 ms each on a busy 2-core machine), measured
 * with `(x){10}`/`(x){100}` per kind of atom: a Unicode category such as \pL compiles to hundreds of
 * UTF-8 byte ranges (~30 ms per copy), "anything but a few ASCII characters" (`.`, `[^,]`, \S) to a
 * dozen, an ASCII literal or class to one or two.
 */
const UNICODE_PROPERTY = 600;
const WIDE_CLASS = 16;
const NARROW = 1;

interface Frame {
  sum: number;
  last: number;
}

/**
 * An upper estimate of what compiling a Go regexp costs RE2 (time, and memory in re2-wasm's fixed
 * heap): the sum of its atoms' weights, each multiplied by the counted repeats around it, since RE2
 * copies `x{n,m}` m times. It never rejects or validates syntax; RE2 does that.
 */
export function estimateRegexpCost(pattern: string): number {
  const chars = Array.from(pattern);
  const stack: Frame[] = [{ sum: 0, last: 0 }];
  const top = (): Frame => stack[stack.length - 1]!;
  const atom = (weight: number): void => {
    top().sum += weight;
    top().last = weight;
  };
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '\\') {
      const [weight, next] = escapeAt(chars, i);
      atom(weight);
      i = next;
    } else if (c === '[') {
      const [weight, next] = classAt(chars, i);
      atom(weight);
      i = next;
    } else if (c === '(') {
      i = groupOpen(chars, i, stack);
    } else if (c === ')') {
      const inner = stack.length > 1 ? stack.pop()! : { sum: 0, last: 0 };
      atom(inner.sum + 1);
      i++;
    } else if (c === '{') {
      const repeat = /^\{(\d{1,7})(,(\d{0,7}))?\}/.exec(chars.slice(i, i + 18).join(''));
      if (repeat) {
        const min = Number(repeat[1]);
        const max = repeat[2] === undefined ? min : repeat[3] === '' ? min + 1 : Number(repeat[3]);
        const copies = Math.max(min, max, 1);
        top().sum += top().last * (copies - 1);
        top().last *= copies;
        i += repeat[0].length;
      } else {
        atom(NARROW);
        i++;
      }
    } else if (c === '.') {
      atom(WIDE_CLASS);
      i++;
    } else {
      // Literals, | * + ? ^ $: one instruction or so each.
      atom(NARROW);
      i++;
    }
  }
  while (stack.length > 1) atom(stack.pop()!.sum + 1);
  return top().sum;
}

// Flag groups `(?i)` open nothing; `(?:`, `(?i:`, `(?P<n>` and `(` open a group.
function groupOpen(chars: string[], i: number, stack: Frame[]): number {
  if (chars[i + 1] === '?') {
    let j = i + 2;
    while (j < chars.length && chars[j] !== ')' && chars[j] !== ':' && chars[j] !== '>') j++;
    if (chars[j] === ')') return j + 1;
    stack.push({ sum: 0, last: 0 });
    return j + 1;
  }
  stack.push({ sum: 0, last: 0 });
  return i + 1;
}

function escapeAt(chars: string[], i: number): [number, number] {
  const e = chars[i + 1];
  if (e === 'p' || e === 'P') {
    if (chars[i + 2] !== '{') return [UNICODE_PROPERTY, i + 3];
    let j = i + 3;
    while (j < chars.length && chars[j] !== '}') j++;
    return [UNICODE_PROPERTY, j + 1];
  }
  if (e === 'Q') {
    let j = i + 2;
    while (j < chars.length && !(chars[j] === '\\' && chars[j + 1] === 'E')) j++;
    return [Math.max(j - (i + 2), 1) * NARROW, j + 2];
  }
  if (e === 'x') {
    // \x{10FFFF} or \xFF: the braces are not a repeat.
    if (chars[i + 2] !== '{') return [NARROW, i + 4];
    let j = i + 3;
    while (j < chars.length && chars[j] !== '}') j++;
    return [NARROW, j + 1];
  }
  if (e === 'D' || e === 'W' || e === 'S') return [WIDE_CLASS, i + 2];
  return [NARROW, i + 2];
}

function classAt(chars: string[], i: number): [number, number] {
  let j = i + 1;
  let weight = NARROW;
  if (chars[j] === '^') {
    weight = WIDE_CLASS;
    j++;
  }
  if (chars[j] === ']') j++;
  for (; j < chars.length && chars[j] !== ']'; j++) {
    const c = chars[j]!;
    if (c === '\\') {
      const e = chars[j + 1];
      if (e === 'p' || e === 'P') weight = Math.max(weight, UNICODE_PROPERTY);
      else if (e === 'D' || e === 'W' || e === 'S') weight = Math.max(weight, WIDE_CLASS);
      j++;
    } else if (c === '[' && chars[j + 1] === ':') {
      const end = chars.indexOf(']', j);
      if (chars[j + 2] === '^') weight = Math.max(weight, WIDE_CLASS);
      if (end > j) j = end;
    } else if (c.codePointAt(0)! > 0x7f) {
      weight = Math.max(weight, WIDE_CLASS);
    }
  }
  return [weight, j + 1];
}
