/**
 * Table lookups by a name that came from outside (a callback's `type`, a ledger row's
 * `reference_type`, a gateway's error code): only the table's own entries count, so
 * `constructor`, `toString` or `__proto__` never find a member of Object.prototype.
 */
export function ownValue<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}
