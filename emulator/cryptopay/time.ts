// Timestamp formats seen in recorded responses.

/** "2021-10-14T10:51:57+00:00" (seconds precision, explicit offset): the normal API format. */
export function apiTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** "2021-10-18T07:09:30Z": how uncommitted two-step objects were serialised in recordings. */
export function zuluTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Millisecond ISO time for the emulator's own logs (delivery attempts). */
export function preciseTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
