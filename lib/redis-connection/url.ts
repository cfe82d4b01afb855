/**
 * Redis connection URLs: redis[s]://[[user]:password@]host[:port][/db]; rediss:// is TLS. The
 * password may be percent-encoded. Nothing derived from a URL that could hold a password is ever put in an
 * error message; `describe` gives the safe form for logs and status.
 */

export interface RedisEndpoint {
  /** rediss://: the connection is TLS, verified against the system CAs or the one given. */
  tls: boolean;
  host: string;
  port: number;
  /** ACL user (Redis 6+); without it AUTH uses the password alone (the "default" user). */
  username?: string;
  password?: string;
  db: number;
}

export class RedisUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUrlError';
  }
}

const DEFAULT_PORT = 6379;

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RedisUrlError(`the Redis URL's ${what} is not valid percent-encoding`);
  }
}

export function parseRedisUrl(text: string): RedisEndpoint {
  const trimmed = text.trim();
  if (!trimmed) throw new RedisUrlError('no Redis URL is set');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new RedisUrlError('the Redis URL is not a valid URL (expected redis[s]://[user:password@]host:port/db)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new RedisUrlError(`the Redis URL must start with redis:// or rediss:// (got ${url.protocol}//)`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new RedisUrlError('the Redis URL has no host');
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  const dbPath = url.pathname.replace(/^\/+/, '').replace(/\/+$/, '');
  if (dbPath !== '' && !/^\d{1,5}$/.test(dbPath)) throw new RedisUrlError(`the Redis URL's path must be a database number (got /${dbPath})`);
  if (url.search || url.hash) throw new RedisUrlError('the Redis URL takes no query or fragment');
  const endpoint: RedisEndpoint = { tls: url.protocol === 'rediss:', host, port, db: dbPath === '' ? 0 : Number(dbPath) };
  if (url.username) endpoint.username = decode(url.username, 'user name');
  if (url.password) endpoint.password = decode(url.password, 'password');
  if (endpoint.username && endpoint.password === undefined) throw new RedisUrlError('the Redis URL has a user name but no password (redis://user:password@host)');
  return endpoint;
}

/** host:port/db (with " tls"), for status text and log lines; never the credentials. */
export function describeEndpoint(endpoint: Pick<RedisEndpoint, 'tls' | 'host' | 'port' | 'db'>): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}/${endpoint.db}${endpoint.tls ? ' tls' : ''}`;
}
