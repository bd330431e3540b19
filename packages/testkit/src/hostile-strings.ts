/**
 * Values that have broken, or could break, code that turns untrusted text into Redis keys,
 * object properties, regexes, paths, log lines or HTTP answers. The fuzz tests mix them
 * into otherwise valid input; plain arrays, so this module needs no fuzzing library.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  // Redis key parts the gateway uses itself (esc:due, esc:inflight, ack:all, idx:*, a:/tl:).
  'due',
  'inflight',
  'all',
  'ver',
  'idx:all',
  'a:x',
  'tl:x',
  'esc:due',
  'sup:x:y',
  'directory',
  // Object.prototype members: a plain-object lookup table answers these with functions.
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  // Redis Cluster hash tags, globs and separators.
  '{ag}',
  '{',
  '}',
  '}{',
  '{}',
  '*',
  '?',
  '[a-z]',
  ':',
  '::',
  // Paths and URL escapes.
  '..',
  '../..',
  '/',
  '%2F',
  '%2e%2e',
  '%00',
  '%',
  '\\',
  // Control characters, line breaks, NUL, BOM, separators JSON.stringify leaves raw.
  '\u0000',
  'a\u0000b',
  '\r\n',
  '\n',
  'x\r\nSet-Cookie: a=b',
  '\t',
  '\u001b[31m',
  '\ufeff',
  '\u2028',
  '\u2029',
  // Astral characters and lone surrogates (not valid UTF-16 on their own).
  '😀',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\ud800',
  '\udfff',
  'a\ud83d',
  // Empty, blank, numeric-looking, JSON-looking, HTML.
  '',
  ' ',
  '0',
  '-1',
  'NaN',
  'null',
  'true',
  '{"a":1}',
  '[]',
  '<script>alert(1)</script>',
  '${HOME}',
  '$${X}',
  // Regex bombs for code that builds a regex from input: nested quantifiers and alternation.
  '(a+)+$',
  '(a|a)*$',
  '([a-zA-Z]+)*$',
  'a'.repeat(40) + '!',
];

/** Lengths around the limits the gateway enforces (names 1024, fingerprints 256, values 16384). */
export const HOSTILE_LENGTHS: readonly number[] = [255, 256, 257, 1023, 1024, 1025, 16_384, 16_385, 70_000];
