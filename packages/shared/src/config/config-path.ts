/** One problem in the configuration: a dotted path ("users[2].phone") and what is wrong. */
export interface ConfigProblem {
  path: string;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Formats path segments the way people write them: ['users', 2, 'phone'] → "users[2].phone". */
export function formatPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || '(root)';
}

/** Turns an ajv JSON pointer ("/users/2/phone") into a dotted path ("users[2].phone"). */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return formatPath([]);
  const segments = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
  return formatPath(segments);
}
