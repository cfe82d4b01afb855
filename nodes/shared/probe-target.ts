/**
 * Addresses the connection test refuses to probe: link-local ones (169.254.0.0/16, fe80::/10),
 * where clouds answer instance metadata (credentials included) to any process on the host,
 * and the known metadata names and addresses outside those ranges. A name is resolved and
 * every address it gives is checked. The gateway's own deployed base URL is never refused:
 * that is the operator's choice, not the dialog's.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type HostLookup = (host: string) => Promise<string[]>;

const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.internal']);
/** Metadata services outside the link-local ranges: AWS over IPv6, Alibaba Cloud. */
const METADATA_ADDRESSES = new Set(['fd00:ec2::254', '100.100.100.200']);

const systemLookup: HostLookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** IPv4 of an IPv4-mapped IPv6 address (::ffff:a.b.c.d or its hex form), else the address itself. */
function unmapped(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return lower;
}

export function isForbiddenAddress(address: string): boolean {
  const plain = unmapped(address.replace(/^\[|\]$/g, ''));
  if (METADATA_ADDRESSES.has(plain)) return true;
  if (isIP(plain) === 4) return plain.startsWith('169.254.');
  // fe80::/10: fe80 to febf in the first group.
  return isIP(plain) === 6 && /^fe[89ab][0-9a-f]:/.test(plain.padEnd(5, ':'));
}

/** Why `baseUrl` must not be probed, or undefined when it may. */
export async function forbiddenTarget(baseUrl: string, lookup: HostLookup = systemLookup): Promise<string | undefined> {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (METADATA_NAMES.has(host)) return 'is a cloud metadata service';
  if (isIP(host)) return isForbiddenAddress(host) ? 'is a link-local or metadata address' : undefined;
  let addresses: string[];
  try {
    addresses = await lookup(host);
  } catch {
    return undefined; // unresolvable: the probe itself reports it, and cannot reach anything
  }
  return addresses.some(isForbiddenAddress) ? 'resolves to a link-local or metadata address' : undefined;
}
