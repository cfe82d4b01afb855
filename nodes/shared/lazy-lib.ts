/**
 * The provider registry and the operation schemas pull in zod and the three providers' schemas,
 * most of this package's load time. Node-RED loads every installed package at start-up, used
 * or not, so they load on first use instead: the first Paywire node a flow starts, the editor's
 * first catalog request, or a "test connection" click.
 */
import type * as ProvidersModule from '../../lib/providers';
import type * as OperationsModule from '../../lib/operations';

let providersModule: typeof ProvidersModule | undefined;
let operationsModule: typeof OperationsModule | undefined;

export function providers(): typeof ProvidersModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
  return (providersModule ??= require('../../lib/providers') as typeof ProvidersModule);
}

export function operations(): typeof OperationsModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
  return (operationsModule ??= require('../../lib/operations') as typeof OperationsModule);
}
