import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';

/** How robot posts leave this host, for the start line: never the proxy's URL (it may hold a password). */
export interface RobotRoute {
  dispatcher: Dispatcher;
  /** Which variables route the posts ("HTTPS_PROXY", "HTTP_PROXY", with "NO_PROXY" exceptions), or "direct". */
  describe: string;
}

/** The first of the names set (non-empty) in `env`, curl's spellings: lower case first. */
const first = (env: NodeJS.ProcessEnv, ...names: string[]) => names.map((n) => [n, env[n]] as const).find(([, v]) => v);

/**
 * Robot webhooks are on the public internet, and a gateway inside a company network often reaches
 * it only through an egress proxy. Posts to https URLs go through HTTPS_PROXY, and through
 * HTTP_PROXY when that is unset (undici's rule: one proxy for all is the common setup; Go and curl
 * would go direct there); posts to http URLs through HTTP_PROXY; never to the hosts NO_PROXY names
 * (names and domains, not CIDR ranges). Read from notifier-chat's environment; with none set,
 * posts go direct. One dispatcher per process: its connections are kept alive from one message to
 * the next.
 */
export function robotRoute(env: NodeJS.ProcessEnv): RobotRoute {
  const https = first(env, 'https_proxy', 'HTTPS_PROXY');
  const http = first(env, 'http_proxy', 'HTTP_PROXY');
  const noProxy = first(env, 'no_proxy', 'NO_PROXY');
  if (!https && !http) return { dispatcher: new Agent(), describe: 'direct' };
  // Empty strings, not undefined: undici would otherwise read process.env itself.
  const dispatcher = new EnvHttpProxyAgent({ httpsProxy: https?.[1] ?? '', httpProxy: http?.[1] ?? '', noProxy: noProxy?.[1] ?? '' });
  const via = https ? [https[0].toUpperCase(), http?.[0].toUpperCase()].filter(Boolean).join(', ') : `${http![0].toUpperCase()} (https too: HTTPS_PROXY unset)`;
  return { dispatcher, describe: `${via}${noProxy ? ', except NO_PROXY' : ''}` };
}
