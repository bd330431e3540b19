import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@alertgw/testkit';
import { requireCompiled, SERVICE_MAIN, startChild, type ChildExit, type ChildService } from '../../e2e/support/child-service';
import type { ServiceKind } from './chaos-config';


/** How long a (re)started process may take to answer /readyz on a busy 2-core machine. */
const READY_MS = 30_000;

/** One named process of the fleet: its kind, its port (kept across restarts) and every incarnation. */
export interface FleetMember {
  name: string;
  kind: ServiceKind;
  port: number;
  /** Every process started under this name, the current one last. */
  incarnations: ChildService[];
}

/** A SIGKILL the fleet dealt: which process and when (ms epoch, just before the signal). */
export interface FleetKill {
  name: string;
  kind: ServiceKind;
  pid: number;
  at: number;
}

/** Options of a fleet: where config files go, the children's environment, and each process's config text. */
export interface FleetOptions {
  dir: string;
  env: NodeJS.ProcessEnv;
  configYaml: (kind: ServiceKind, port: number) => string;
}

/**
 * Named service processes (e.g. two replicas per notifier) on fixed free ports, each with its
 * own config file, that a chaos test SIGKILLs and restarts on the same port. Output of every
 * incarnation is kept, for the failure report.
 */
export class ServiceFleet {
  private readonly members = new Map<string, FleetMember>();

  constructor(private readonly opts: FleetOptions) {
    requireCompiled();
  }

  /** Starts a process `name` of `kind` on a free port and waits until it is ready. */
  async add(name: string, kind: ServiceKind): Promise<FleetMember> {
    const port = await freePort();
    const member: FleetMember = { name, kind, port, incarnations: [] };
    this.members.set(name, member);
    writeFileSync(this.configFile(name), this.opts.configYaml(kind, port));
    await this.start(name);
    return member;
  }

  /** The member called `name`. */
  get(name: string): FleetMember {
    const m = this.members.get(name);
    if (!m) throw new Error(`no service ${name} in the fleet`);
    return m;
  }

  /** The pid of the running incarnation of `name`. */
  pid(name: string): number {
    return current(this.get(name)).child.pid!;
  }

  /** Starts a new incarnation of `name` (after a kill) on its port and waits until /readyz answers. */
  async start(name: string): Promise<void> {
    const m = this.get(name);
    const child = startChild(`${name}#${m.incarnations.length + 1}`, process.execPath, [SERVICE_MAIN[m.kind]], {
      env: { ...this.opts.env, CONFIG: this.configFile(name) },
      cwd: this.opts.dir,
    });
    m.incarnations.push(child);
    await this.ready(name);
  }

  /** Waits until the running incarnation of `name` answers /readyz (its Redis answers too). */
  ready(name: string): Promise<void> {
    const m = this.get(name);
    return current(m).waitReady(`http://127.0.0.1:${m.port}/readyz`, READY_MS);
  }

  /** SIGKILLs the running incarnation of `name` (a crash: no shutdown hook runs) and waits until it is gone. */
  async kill(name: string): Promise<FleetKill> {
    const m = this.get(name);
    const { child } = current(m);
    const gone = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    const kill: FleetKill = { name, kind: m.kind, pid: child.pid!, at: Date.now() };
    child.kill('SIGKILL');
    await gone;
    return kill;
  }

  /** SIGTERMs every running process at once and returns how each ended, by name. */
  async stopAll(timeoutMs = 15_000): Promise<Record<string, ChildExit>> {
    const names = [...this.members.keys()];
    const exits = await Promise.all(names.map((n) => current(this.get(n)).stop(timeoutMs)));
    return Object.fromEntries(names.map((n, i) => [n, exits[i]]));
  }

  /** Everything every incarnation printed, each line prefixed with `name#incarnation`. */
  transcript(): string {
    return [...this.members.values()]
      .flatMap((m) => m.incarnations.map((c) => c.transcript()))
      .filter(Boolean)
      .join('\n');
  }

  /** Every line of every incarnation of every member, for leak checks. */
  lines(): string[] {
    return [...this.members.values()].flatMap((m) => m.incarnations.flatMap((c) => c.lines()));
  }

  private configFile(name: string): string {
    return path.join(this.opts.dir, `${name}.yaml`);
  }
}

function current(m: FleetMember): ChildService {
  return m.incarnations[m.incarnations.length - 1];
}
