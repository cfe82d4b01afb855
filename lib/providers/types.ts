/**
 * What a provider folder exports. Nodes and the gateway talk only to this interface;
 * everything provider-specific (signing, schemas, status tables, callbacks) stays in the folder.
 */
import type { OperationDefinition, OperationResult, OperationContext, PaywireMeta } from '../operations';
import type { StatusTable } from '../status';
import type { HttpPolicy } from '../http/policy';
import type { ReliabilitySettings } from '../http/reliable';
import type { UnexpectedCallbackError } from '../errors';

export type CredentialName = 'apiKey' | 'apiSecret' | 'callbackSecret' | 'username' | 'password';

export interface CredentialSpec {
  name: CredentialName;
  label: string;
  /** Needed to call the API (as opposed to only to verify callbacks). */
  requiredForApi: boolean;
  requiredForCallbacks: boolean;
  /** A tip the gateway dialog shows under the field, in the provider's words. */
  hint?: string;
}

export type Credentials = Partial<Record<CredentialName, string>>;

/** English text → its translation, for one provider's part of the editor's catalog. */
export type CatalogTexts = Readonly<Record<string, string>>;

export interface ConnectionOptions {
  baseUrl: string;
  credentials: Credentials;
  timeoutMs: number;
  /** Retry deadline and rate limit from the gateway node; omitted = the defaults. */
  reliability?: ReliabilitySettings | undefined;
}

/** A live client for one gateway configuration; owned by the paywire-gateway node. */
export interface ProviderConnection {
  run(resource: string, operation: string, input: Record<string, unknown>, ctx: OperationContext): Promise<OperationResult>;
  close(): Promise<void>;
}

export type HeaderMap = Record<string, string | string[] | undefined>;

export interface VerifiedCallback {
  /** The provider object the callback is about (e.g. the invoice). */
  payload: unknown;
  meta: PaywireMeta & { event: string };
  /** Identity of this delivery for duplicate suppression. */
  dedupeKey: string;
  /**
   * Set when the signature checks out but the type, status or shape is not one Paywire knows:
   * the callback is still answered 2xx (and its duplicates suppressed), but it goes to Catch
   * with this error instead of to the output. `payload` is then the whole parsed body (or the
   * raw text of a body that is not JSON).
   */
  unexpected?: UnexpectedCallbackError;
}

export interface VerifyOptions {
  /** The receiver's clock in ms, for providers that sign a timestamp (default Date.now()). */
  now?: number;
}

export interface ProviderDefinition<Client = unknown> {
  id: string;
  label: string;
  environments: { sandbox?: string; production?: string };
  credentials: readonly CredentialSpec[];
  /**
   * For credentials that work in more than one combination (a token, or a username and a
   * password): what is wrong with the ones given, in words, or undefined when they can work.
   */
  checkCredentials?(credentials: Credentials): string | undefined;
  /** Operations per shared resource name (`invoice`, …), in the order the editor lists them. */
  operations: Readonly<Record<string, readonly OperationDefinition<Client>[]>>;
  statusTables: readonly StatusTable[];
  /** Retryable answers, reset reading and documented rate limit; createClient hands it to lib/http/reliable.ts. */
  httpPolicy: HttpPolicy;
  /** A cheap authenticated read that proves the URL, credentials and clock work ("test connection"). */
  probe: { resource: string; operation: string };
  createClient(options: ConnectionOptions): Client & { close(): Promise<void> };
  /**
   * Verifies the signature over the exact bytes received; throws CallbackRejectedError when it
   * does not check out. A verified body Paywire cannot read is returned with `unexpected` set.
   */
  verifyCallback(rawBody: Buffer, headers: HeaderMap, credentials: Credentials, options?: VerifyOptions): VerifiedCallback;
  /**
   * How long the gateway keeps retrying one callback, from its first attempt to its last (ms);
   * null when the gateway does not document it. The duplicate memory (lib/dedupe, 48 h) must
   * outlast it; a test checks that it does.
   */
  callbackRetryWindowMs: number | null;
  /**
   * This provider's catalog texts in other languages (texts.<lang>.ts beside it), keyed by the
   * English text: labels, descriptions, field labels and help, node labels. A text left out
   * stays English; a text two providers share is translated by each.
   */
  texts?: { readonly de?: CatalogTexts };
}
