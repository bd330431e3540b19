import type { IncomingMessage } from 'node:http';

/** A refusal while reading a body, typed as body-parser types its own, so one switch answers both. */
export class BodyError extends Error {
  constructor(
    readonly type: 'entity.too.large' | 'entity.parse.failed' | 'request.aborted' | 'request.size.invalid',
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/** Content types read by readJsonBody (lowercased, spaces removed); any other JSON type goes through body-parser. */
const PLAIN_JSON_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/json;charset=utf-8', 'application/json;charset="utf-8"']);

/**
 * Whether readJsonBody can read this request: UTF-8 JSON, no Content-Encoding. That is every
 * Alertmanager delivery; the rest (gzip, other charsets, +json types) takes body-parser's path.
 */
export function isPlainJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  const encoding = req.headers['content-encoding'];
  return (
    type !== undefined &&
    (encoding === undefined || encoding.toLowerCase() === 'identity') &&
    PLAIN_JSON_TYPES.has(type.toLowerCase().replace(/ /g, ''))
  );
}

/**
 * Reads a plain UTF-8 JSON body (see isPlainJson) as express.json({ strict: true }) does, without
 * its per-request machinery: the declared length is checked before reading and the bytes counted
 * while reading (413 past `limit`), a UTF-8 BOM is skipped, the first character must open an
 * object or an array, and an empty body is `{}`. Resolves with the value and the bytes as received
 * (stored as they came: no re-serialization); rejects with a BodyError once the request is fully
 * read off (as body-parser does), so the answer is not written while the client is still sending.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<{ value: unknown; raw: Buffer }> {
  return new Promise((resolve, reject) => {
    const fail = (err: BodyError) => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('aborted', onAborted);
      req.removeListener('error', onAborted);
      afterRead(req, () => reject(err));
    };
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && declared > limit) return fail(new BodyError('entity.too.large', 'request entity too large'));
    const chunks: Buffer[] = [];
    let size = 0;
    function onData(chunk: Buffer) {
      size += chunk.length;
      if (size > limit) fail(new BodyError('entity.too.large', 'request entity too large'));
      else chunks.push(chunk);
    }
    function onAborted() {
      fail(new BodyError('request.aborted', 'request aborted'));
    }
    function onEnd() {
      req.removeListener('data', onData);
      req.removeListener('aborted', onAborted);
      req.removeListener('error', onAborted);
      if (declared !== undefined && size !== declared) return reject(new BodyError('request.size.invalid', 'request size did not match content length'));
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      try {
        resolve({ value: parseStrict(raw), raw });
      } catch (err) {
        reject(new BodyError('entity.parse.failed', (err as Error).message));
      }
    }
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('aborted', onAborted);
    req.once('error', onAborted);
  });
}

function parseStrict(raw: Buffer): unknown {
  const bom = raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
  const text = raw.toString('utf8', bom ? 3 : 0);
  if (text.length === 0) return {};
  // Alertmanager's bodies start with "{": the scan for the first non-blank is for the others.
  const first = text[0] === '{' ? '{' : /[^\x20\x09\x0a\x0d]/.exec(text)?.[0];
  if (first !== '{' && first !== '[') {
    throw new SyntaxError(first === undefined ? 'Unexpected end of JSON input' : `Unexpected token '${first}': the body must be a JSON object`);
  }
  return JSON.parse(text);
}

/** Calls `done` once the request's body has been read off (discarded) or the request is gone. */
function afterRead(req: IncomingMessage, done: () => void): void {
  if (req.complete || req.destroyed) return done();
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    done();
  };
  req.once('end', once);
  req.once('close', once);
  req.resume();
}
