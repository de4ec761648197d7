/**
 * Reduces a return URL (a sign-in callbackUrl, next-auth's redirect target)
 * to a path on this origin, so no link can send a signed-in person elsewhere.
 * Pure: no request, no environment.
 */

const PLACEHOLDER_ORIGIN = "https://return-path.invalid";
// Browsers drop tabs and newlines inside URLs and strip controls at the ends, so "/\t/evil" would become "//evil".
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u009f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u2060\u3000\ufeff]/;
const MAX_LENGTH = 2048;

/** True when a path (or one of its decodings) would be read as "//host" or "/\host" by someone. */
function looksProtocolRelative(path: string): boolean {
  let current = path;
  for (let i = 0; i < 4; i++) {
    if (/^[/\\]{2}/.test(current) || CONTROL_OR_SPACE.test(current)) return true;
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return true;
    }
    if (decoded === current) return false;
    current = decoded;
  }
  return true;
}

/**
 * A same-origin path ("/x?y#z", normalised and percent-encoded) for `input`,
 * or `fallback` when `input` is not a plain path on this site. An absolute URL
 * is accepted only when `ownOrigin` is given and it matches.
 */
export function safeReturnPath(input: unknown, fallback = "/dashboard", ownOrigin?: string): string {
  if (typeof input !== "string" || input === "" || input.length > MAX_LENGTH || CONTROL_OR_SPACE.test(input))
    return fallback;
  let candidate = input;
  if (!input.startsWith("/")) {
    if (!ownOrigin) return fallback;
    let absolute: URL;
    try {
      absolute = new URL(input);
    } catch {
      return fallback;
    }
    if (absolute.origin !== ownOrigin || absolute.username || absolute.password) return fallback;
    candidate = absolute.pathname + absolute.search + absolute.hash;
  }
  // A backslash in the path is a slash to browsers ("/\\evil" is "//evil").
  if (/^[^?#]*\\/.test(candidate)) return fallback;
  let url: URL;
  try {
    url = new URL(candidate, PLACEHOLDER_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback;
  const path = url.pathname + url.search + url.hash;
  if (!path.startsWith("/") || looksProtocolRelative(url.pathname)) return fallback;
  return path;
}
