import { readFileSync } from 'fs';
import { dirname } from 'path';

/** One compiled RE2 program inside the re2-wasm module (an Embind handle: freed only by delete()). */
interface WrappedRe2 {
  ok(): boolean;
  error(): string;
  match(input: string, start: number, captureGroups: boolean): { index: number };
  delete(): void;
}

interface Re2Wasm {
  WrappedRE2: new (pattern: string, ignoreCase: boolean, multiline: boolean, dotAll: boolean) => WrappedRe2;
}

/** Thrown by compile() with RE2's own message, e.g. "missing ): (critical". */
export class Re2CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Re2CompileError';
  }
}

/**
 * Compiled programs kept at once: more than a large config's routes, so resolving never recompiles.
 * A program used on ordinary labels takes ~6 KB of re2-wasm's fixed 16 MB heap (~1,700 fill it);
 * one used on hostile input can grow its DFA cache to a few MB, and running out is recovered below.
 */
export const RE2_CACHE_SIZE = 256;

const GLUE = require.resolve('re2-wasm/build/wasm/re2');
const GLUE_SOURCE = readFileSync(GLUE, 'utf8');

let wasm = load();
let reloads = 0;
const cache = new Map<string, WrappedRe2>();

// The Emscripten glue (CommonJS) is evaluated by hand rather than required, because require
// caches it (and jest's require cannot be told to forget): a fresh copy, with a fresh heap, is
// what replaces a module that has run out of memory. It reads re2.wasm from __dirname, and takes
// its settings from a `Module` in scope: its abort message (a page of stack) is not printed,
// since the abort is recovered and reported here.
function load(): Re2Wasm {
  const factory = new Function(
    'exports',
    'require',
    'module',
    '__filename',
    '__dirname',
    'Module',
    `${GLUE_SOURCE}\n//# sourceURL=${GLUE}`,
  );
  const mod = { exports: {} as Re2Wasm };
  factory(mod.exports, require, mod, GLUE, dirname(GLUE), { printErr: () => undefined });
  return mod.exports;
}

// A WebAssembly.RuntimeError (Emscripten's abort), checked by name: jest's sandbox has its own
// copies of the built-in classes.
function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as Error).name === 'RuntimeError';
}

/**
 * Google's RE2 (linear time, no backtracking) from the re2-wasm module, used directly rather than
 * through its RegExp-like RE2 class because that class rewrites JS syntax into RE2 syntax (`\u`,
 * `(?<`), which Go does not accept. Programs are cached by source (bounded, least recently used
 * freed first). re2-wasm cannot grow its heap and aborts when it is full (a pattern like
 * `\pL{1000}` does it on its own): the module is then reloaded and the call tried once more.
 */
export const re2Engine = {
  /** Compiles (or finds cached) `source`; throws Re2CompileError if RE2 rejects it. */
  compile(source: string): void {
    // RE2's own wording for a program over its memory budget.
    withFreshHeapOnAbort(() => program(source), () => new Re2CompileError('pattern too large - compile failed'));
  },

  /** Whether RE2 finds `source` anywhere in `input` (anchor the source for a whole-value match). */
  test(source: string, input: string): boolean {
    // Go reads an invalid UTF-8 sequence as U+FFFD; re2-wasm's UTF-8 encoder would pair a lone
    // surrogate with the next code unit.
    const text = (input as unknown as WellFormable).toWellFormed();
    return withFreshHeapOnAbort(
      () => program(source).match(text, 0, false).index >= 0,
      () => new Error(`a ${text.length}-character value does not fit in RE2's 16 MB WASM heap`),
    );
  },

  /** How many compiled programs are alive in the WASM heap. */
  cached(): number {
    return cache.size;
  },

  /** How many times the module ran out of memory and was replaced by a fresh one. */
  reloads(): number {
    return reloads;
  },
};

// String.prototype.toWellFormed (Node 20) is newer than the ES2022 lib this repo compiles against.
interface WellFormable {
  toWellFormed(): string;
}

function program(source: string): WrappedRe2 {
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source); // re-inserted as most recently used
    cache.set(source, hit);
    return hit;
  }
  const compiled = new wasm.WrappedRE2(source, false, false, false);
  if (!compiled.ok()) {
    const message = compiled.error();
    compiled.delete();
    throw new Re2CompileError(message);
  }
  if (cache.size >= RE2_CACHE_SIZE) {
    const [oldest, handle] = cache.entries().next().value as [string, WrappedRe2];
    cache.delete(oldest);
    handle.delete();
  }
  cache.set(source, compiled);
  return compiled;
}

function withFreshHeapOnAbort<T>(run: () => T, tooBig: () => Error): T {
  try {
    return run();
  } catch (err) {
    if (!isAbort(err)) throw err;
  }
  replaceModule();
  try {
    return run();
  } catch (err) {
    if (!isAbort(err)) throw err;
    replaceModule();
    throw tooBig();
  }
}

// Every handle belonged to the old heap, which is dropped whole: nothing to delete one by one.
// (An abort also leaves that heap's stack pointer and allocator mid-operation, so it is not reused.)
function replaceModule(): void {
  cache.clear();
  wasm = load();
  reloads++;
}
