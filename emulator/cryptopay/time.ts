// Timestamp formats seen in recorded responses.

/** "2021-10-14T10:51:57+00:00" (seconds precision, explicit offset): the normal API format. */
export function apiTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** "2021-10-18T07:09:30Z": how uncommitted two-step objects were serialised in recordings. */
export function zuluTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

// ISO 8601 / RFC 3339 date-time: "2023-07-24T09:33:07+00:00", "…Z", "…+0000", optional fraction,
// a space instead of "T", and Ruby's Time#to_s form "2023-07-24 08:46:28 UTC" (recorded for starts_at).
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s?(Z|UTC|[+-]\d{2}:?\d{2})$/;

/** Parses an ISO 8601 timestamp with an explicit zone (see TIMESTAMP_RE) into ms since epoch, or null. */
export function parseTimestamp(text: string): number | null {
  const m = TIMESTAMP_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s), frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0);
  if (new Date(ms).getUTCDate() !== day) return null; // e.g. 31 Feb
  let offset = 0;
  if (zone !== 'Z' && zone !== 'UTC' && zone !== undefined) {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!z) return null;
    offset = (Number(z[2]) * 60 + Number(z[3])) * (z[1] === '-' ? -1 : 1);
  }
  return ms - offset * 60_000;
}

/** Whole seconds: objects carry second-precision timestamps, as in the API output. */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
