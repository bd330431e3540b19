import { existsSync } from 'node:fs';
import path from 'node:path';
import { SHARED_SRC, sharedUsage } from './shared-usage';

// packages/shared holds what more than one service needs; what only one service runs lives in
// that service's package. Each exception below is named with the reason it stays.
const EXEMPT: Record<string, string> = {
  // Only ingest accepts webhook deliveries, but this wrapper's script composes shared's own scripts
  // (enqueue, record upsert, handling step) with --@function by path, and shared keeps all Lua: the
  // runner stays beside its script rather than reach into another package's dist for it.
  'delivery/accept-delivery-script.ts': "runner of the accept script, which composes shared's scripts",
};

describe('packages/shared/src', () => {
  const usage = new Map([...sharedUsage()].map(([file, services]) => [path.relative(SHARED_SRC, file).split(path.sep).join('/'), services]));

  it('finds the services of the code it holds (sanity of the analysis)', () => {
    expect(usage.size).toBeGreaterThan(50);
    expect([...usage.get('worker/worker.ts')!].sort()).toEqual(['ingest', 'notifier-chat', 'notifier-email', 'notifier-sms']);
    expect(usage.get('config/load-config.ts')!.size).toBe(5);
  });

  it('holds no code that only one service imports (directly, through the index or through other shared code)', () => {
    const single = [...usage]
      .filter(([file, services]) => services.size < 2 && !file.endsWith('index.ts') && !(file in EXEMPT))
      .map(([file, services]) => `${file}: ${[...services].join(', ') || 'no service'}`);
    expect(single).toEqual([]);
  });

  it('has no stale exemption', () => {
    const stale = Object.keys(EXEMPT).filter((file) => !existsSync(path.join(SHARED_SRC, file)) || usage.get(file)!.size >= 2);
    expect(stale).toEqual([]);
  });
});
