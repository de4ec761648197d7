/**
 * Request ids: every request carries one in X-Request-Id, in logs and on the
 * answer. A caller's own id is kept when it is well formed (letters, digits
 * and . _ : -, at most 128 characters), so one id follows a call through a
 * gateway; anything else (an address, spaces, control characters, a long
 * value) is replaced by a fresh UUID, never reflected or logged.
 */

export const REQUEST_ID_HEADER = "x-request-id";

const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isWellFormedRequestId(value: string | null | undefined): value is string {
  return typeof value === "string" && WELL_FORMED.test(value);
}

/** The caller's id when well formed, else a new one. */
export function requestIdFrom(header: string | null | undefined): string {
  return isWellFormedRequestId(header) ? header : crypto.randomUUID();
}
