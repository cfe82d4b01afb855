// Customers (reference §4.8): merchant-chosen id, currency, refund addresses. The legacy
// `refund_addresses` map is derived from `addresses` (one address per cryptocurrency).
import { isValidAddress } from './addresses';
import { PAY_CURRENCIES, PRICE_CURRENCIES, coinInfo } from './currencies';
import { errors } from './errors';
import type { ListBody } from './pagination';
import { Collection, cursorParam, listBody } from './pagination';
import { Validator, isGiven, isPlainObject } from './validate';

export interface CustomerAddress {
  address: string;
  currency: string;
  network: string;
}

export interface CustomerRecord {
  id: string;
  currency: string;
  addresses: CustomerAddress[];
}

/** Recorded key order: id, currency, refund_addresses, addresses. */
export function customerJson(c: CustomerRecord): Record<string, unknown> {
  const refund: Record<string, string> = {};
  for (const a of c.addresses) refund[a.currency] = a.address;
  return { id: c.id, currency: c.currency, refund_addresses: refund, addresses: c.addresses.map((a) => ({ ...a })) };
}

/** `addresses`: array of {address, currency, network?}; at most one per cryptocurrency. */
function parseAddresses(v: Validator): CustomerAddress[] | null {
  const raw = v.body.addresses;
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw)) {
    v.add({ code: 'must_be_array', target: 'addresses', message: 'must be an array' });
    return null;
  }
  const out: CustomerAddress[] = [];
  const seen = new Set<string>();
  raw.forEach((item: unknown, i) => {
    const at = (k: string): string => `addresses[${i}].${k}`;
    if (!isPlainObject(item)) {
      v.add({ code: 'must_be_hash', target: `addresses[${i}]`, message: 'must be an object' });
      return;
    }
    const address = item.address;
    const currency = item.currency;
    if (!isGiven(address)) v.required(at('address'));
    else if (typeof address !== 'string') v.add({ code: 'must_be_string', target: at('address'), message: 'must be a string' });
    if (!isGiven(currency)) v.required(at('currency'));
    const cur = isGiven(currency) ? v.checkIncluded(at('currency'), currency, PAY_CURRENCIES) : null;
    const coin = cur ? coinInfo(cur) : undefined;
    let network: string | null = coin?.networks[0] ?? null;
    if (coin && isGiven(item.network)) network = v.checkIncluded(at('network'), item.network, coin.networks);
    if (cur && seen.has(cur)) {
      v.add({ code: 'must_be_unique', target: at('currency'), message: 'only one refund address per cryptocurrency' });
      return;
    }
    if (cur) seen.add(cur);
    if (typeof address === 'string' && cur && network) {
      if (!isValidAddress(network, address)) {
        v.add({ code: 'invalid_coin_address', target: at('address'), message: `must be a valid ${cur} address`, args: { currency: cur } });
        return;
      }
      out.push({ address, currency: cur, network });
    }
  });
  return out;
}

export class CustomerService {
  /** Customer ids are case-sensitive text chosen by the merchant. */
  private readonly items = new Collection<CustomerRecord>(false);

  clear(): void {
    this.items.clear();
  }

  /** id must be new: a reused id → 409 duplicate_custom_id (README assumption). */
  create(body: unknown): CustomerRecord {
    const v = new Validator(body);
    const id = v.string('id');
    const currency = v.oneOf('currency', PRICE_CURRENCIES);
    const addresses = parseAddresses(v);
    v.check();
    if (id === null || currency === null) throw errors.internal();
    if (this.items.get(id)) throw errors.duplicateCustomId();
    const rec: CustomerRecord = { id, currency, addresses: addresses ?? [] };
    this.items.add(rec);
    return rec;
  }

  get(id: string): CustomerRecord {
    return this.items.require(id);
  }

  /** PATCH: `currency`, `addresses` (replaces the whole list). */
  update(id: string, body: unknown): CustomerRecord {
    const rec = this.get(id);
    const v = new Validator(body);
    const currency = Object.prototype.hasOwnProperty.call(v.body, 'currency') ? v.oneOf('currency', PRICE_CURRENCIES) : null;
    const addresses = parseAddresses(v);
    v.check();
    if (currency !== null) rec.currency = currency;
    if (addresses !== null) rec.addresses = addresses;
    return rec;
  }

  /** starting_after is a customer id (any text), not a UUID. */
  list(query: URLSearchParams): ListBody {
    return listBody(this.items.page(cursorParam(query, false)), customerJson);
  }
}
