import { GatewayError, readSecretFile } from '@alertgw/shared';

/** `${VAR}`: the only form a robot's webhook URL or secret may take in the directory. */
const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * Resolves a robot's `${VAR}` reference from notifier-chat's environment at send time: VAR, else
 * the file named by VAR_FILE (trimmed). A literal value is refused (the directory is editable
 * through the API and readable by viewers, so it must never hold a token), and so is a reference
 * whose variable is unset: both are configuration errors (SEND_CONFIG). The message names the
 * variable, never its value.
 */
export function resolveReference(ref: string, what: string, env: NodeJS.ProcessEnv): string {
  const m = REFERENCE.exec(ref.trim());
  if (!m) {
    throw new GatewayError('SEND_CONFIG', `${what} must be a \${VAR} reference to notifier-chat's environment; a literal value is refused`, {
      details: { providerCode: 'ROBOT_LITERAL_SECRET' },
    });
  }
  const name = m[1]!;
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct.trim();
  const file = env[`${name}_FILE`];
  if (file) {
    const read = readSecretFile(file);
    if (!read.ok) throw new GatewayError('SEND_CONFIG', `${what}: ${name}_FILE ${read.reason}`, { details: { providerCode: 'ROBOT_SECRET_UNSET' } });
    const value = read.value.trim();
    if (value) return value;
  }
  throw new GatewayError('SEND_CONFIG', `${what}: neither ${name} nor ${name}_FILE is set in notifier-chat's environment`, {
    details: { providerCode: 'ROBOT_SECRET_UNSET' },
  });
}
