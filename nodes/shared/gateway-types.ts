/** The contract between the paywire-gateway config node and the nodes that use it. */
import type { OperationContext, OperationResult } from '../../lib/operations';
import type { HeaderMap, ProviderDefinition, VerifiedCallback } from '../../lib/providers/types';
import type { Node, NodeStatus } from './red';

export const GATEWAY_TYPE = 'paywire-gateway';

/** A node using a gateway; it is told when the gateway's health changes (10-mqtt style). */
export interface GatewayUser {
  id: string;
  onGatewayStatus(status: NodeStatus): void;
}

export interface GatewayNode extends Node {
  readonly provider: ProviderDefinition | undefined;
  /** Why this gateway cannot work, in words for the user; undefined when it can. */
  readonly configProblem: string | undefined;
  /** Provider id and resolved base URL it was deployed with; undefined when its settings cannot work. */
  readonly endpoint: { provider: string; baseUrl: string } | undefined;
  /** What the watch and callback records of this gateway are kept under (lib/watch gatewayScope). */
  readonly recordScope: string;
  readonly gatewayStatus: NodeStatus;
  /** The client-side rate limit in force for this API key; undefined when limiting is off or the provider unknown. */
  readonly rateLimit: { limit: number; windowMs: number } | undefined;
  register(user: GatewayUser): void;
  deregister(user: GatewayUser): void;
  run(resource: string, operation: string, input: Record<string, unknown>, ctx: OperationContext): Promise<OperationResult>;
  verifyCallback(rawBody: Buffer, headers: HeaderMap): VerifiedCallback;
}

export function isGatewayNode(node: unknown): node is GatewayNode {
  return (
    typeof node === 'object' &&
    node !== null &&
    (node as { type?: unknown }).type === GATEWAY_TYPE &&
    typeof (node as { run?: unknown }).run === 'function'
  );
}
