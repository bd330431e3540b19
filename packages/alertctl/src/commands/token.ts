import { CliError, EXIT, println, stringOpt, type CliContext, type Command, type ParsedArgs } from '../command';
import { loadCliConfig } from '../connect';
import { durationOption } from '../duration-option';
import { signHs256, type TokenClaims } from '../sign-token';

/** `alertctl token`: a management API token signed with the configured HS256 secret. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'issue a management API token (JWT) signed with auth.jwt.hs256Secret',
  help: `Usage: alertctl token --sub <name> --role viewer|operator [--ttl <time>] [options]

Signs a JWT for ingest's management API (/api/v1/...) with auth.jwt.hs256Secret of the
configuration (taken from its environment variable, as the services do) and prints only the
token, so that TOKEN=$(alertctl token --sub alice --role operator) works. Send it as
"Authorization: Bearer <token>". viewer reads alerts, tasks, users and routes; operator also
acks, comments, assigns and changes users, groups and routes. The subject is who acts: it is
written into alert timelines and Alertmanager silences.

Options:
  --sub <name>       who the token is for (required)
  --role <role>      viewer or operator (required)
  --ttl <time>       lifetime, e.g. 30m, 12h (default 1h); at most auth.jwt.maxTokenAgeSeconds
                     (default 24h), the longest lifetime ingest accepts
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: { sub: { type: 'string' }, role: { type: 'string' }, ttl: { type: 'string' } },
  run: token,
};

async function token(args: ParsedArgs, ctx: CliContext): Promise<number> {
  if (args.positionals.length > 0) throw new CliError(`token takes no arguments, got "${args.positionals[0]}"`, EXIT.usage);
  const sub = stringOpt(args, 'sub')?.trim();
  if (!sub) throw new CliError('--sub is required: who the token is for, e.g. --sub alice', EXIT.usage);
  const role = stringOpt(args, 'role');
  if (role !== 'viewer' && role !== 'operator') throw new CliError('--role must be viewer or operator', EXIT.usage);
  const ttlText = stringOpt(args, 'ttl') ?? '1h';
  const ttlMs = durationOption(ttlText, '--ttl', '30m, 12h or 7d');
  if (ttlMs < 1000) throw new CliError(`--ttl must be at least 1s, got "${ttlText}"`, EXIT.usage);

  const jwt = loadCliConfig(args, ctx).config.auth.jwt;
  if (!jwt?.hs256Secret) {
    throw new CliError(
      'auth.jwt.hs256Secret is not set: put "${ALERTGW_JWT_SECRET}" there and set that variable (or its _FILE); tokens for RS256/ES256 come from your identity provider',
    );
  }
  // ingest would answer 401 to a longer-lived token; better to say so now than at first use.
  if (ttlMs > jwt.maxTokenAgeSeconds * 1000) {
    throw new CliError(
      `--ttl ${ttlText} is longer than auth.jwt.maxTokenAgeSeconds (${jwt.maxTokenAgeSeconds} s), the longest lifetime ingest accepts: choose a shorter --ttl, or raise that setting`,
      EXIT.usage,
    );
  }
  const now = Math.floor((ctx.now?.() ?? new Date()).getTime() / 1000);
  const claims: TokenClaims = { sub, role, iat: now, exp: now + Math.floor(ttlMs / 1000) };
  if (jwt.issuer) claims.iss = jwt.issuer;
  if (jwt.audience) claims.aud = jwt.audience;
  println(ctx.stdout, signHs256(claims, jwt.hs256Secret));
  return EXIT.ok;
}
