/**
 * The bearer token of one gateway: an API key used as it is, or a login token obtained with
 * the username and password, kept in memory only. Concurrent requests share one login, and a
 * 401 leads to at most one new login per rejected token. The token lives in private fields;
 * nothing here logs, returns it in an error, or hands it to anything but the request headers.
 */

export interface SessionCredentials {
  apiKey?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/** Logs in and returns the new token. */
export type LoginFn = (username: string, password: string) => Promise<string>;

export class BearerSession {
  readonly #apiKey: string | undefined;
  readonly #username: string | undefined;
  readonly #password: string | undefined;
  readonly #login: LoginFn;
  #token: string | undefined;
  #pending: Promise<string> | undefined;

  constructor(credentials: SessionCredentials, login: LoginFn) {
    this.#apiKey = credentials.apiKey || undefined;
    this.#username = credentials.username || undefined;
    this.#password = credentials.password || undefined;
    this.#login = login;
    this.#token = this.#apiKey;
  }

  /** A username and password are configured, so a refused or expired token can be replaced. */
  get canLogin(): boolean {
    return this.#username !== undefined && this.#password !== undefined;
  }

  /** The token is the configured API key (not a login token). */
  isApiKey(token: string): boolean {
    return token === this.#apiKey;
  }

  /** The token to send now: the cached one, or a fresh login. */
  current(): Promise<string> {
    if (this.#token !== undefined) return Promise.resolve(this.#token);
    return this.loginOnce();
  }

  /**
   * After `rejected` was answered 401: the token to retry with, or undefined when there is no
   * way to get another (API key only). When another request already replaced `rejected`, its
   * token is reused instead of logging in again.
   */
  async renew(rejected: string): Promise<string | undefined> {
    if (!this.canLogin) return undefined;
    if (this.#token !== undefined && this.#token !== rejected) return this.#token;
    this.#token = undefined;
    return this.loginOnce();
  }

  private loginOnce(): Promise<string> {
    if (!this.#username || !this.#password) return Promise.reject(new Error('no username and password to log in with'));
    const username = this.#username;
    const password = this.#password;
    this.#pending ??= this.#login(username, password).then(
      (token) => {
        this.#token = token;
        this.#pending = undefined;
        return token;
      },
      (err: unknown) => {
        this.#pending = undefined;
        throw err;
      },
    );
    return this.#pending;
  }
}
