import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildConfig } from '../../src/config/build-config';
import { loadConfig } from '../../src/config/load-config';
import { GatewayError } from '../../src/errors';

/** The smallest config inputs the config loader fuzz found failing, as named tests. */
describe('config loader fuzz findings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-cfg-findings-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a YAML alias bomb with CONFIG_INVALID, not a ReferenceError', () => {
    const file = path.join(dir, 'bomb.yaml');
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcdef'.split('').map((l, i) => `${l}: &${l} [${Array(9).fill(`*${'abcdef'[i]}`).join(',')}]`)];
    writeFileSync(file, `${levels.join('\n')}\n`);
    let err: unknown;
    try {
      loadConfig({ argv: ['--config', file], env: {}, cwd: dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('CONFIG_INVALID');
    expect((err as GatewayError).message).toMatch(/cannot expand the YAML/);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty'])('treats ${%s} as unset, not as a member of Object.prototype', (name) => {
    expect(() => buildConfig({ log: { level: `\${${name}}` } }, {})).toThrow(new RegExp(`\\$\\{${name}\\} is not set`));
    expect(buildConfig({ redis: { keyPrefix: `\${${name}:-ag}` } }, {}).redis.keyPrefix).toBe('ag');
  });
});
