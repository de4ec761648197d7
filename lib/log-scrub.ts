/**
 * What a log line must never carry, whatever a caller passes: e-mail
 * addresses, bearer tokens, session cookies, JWTs, passwords, one-time codes.
 * Keys that name a secret or a person's address are replaced whole; every
 * other string is searched for the patterns below. Logs name people by id.
 */

export const REDACTED = "[redacted]";

/** Keys whose values are replaced whole, at any depth (compared without case, "-" or "_"). */
const SECRET_KEYS = new Set(
  [
    "password",
    "newPassword",
    "currentPassword",
    "passphrase",
    "secret",
    "clientSecret",
    "token",
    "accessToken",
    "refreshToken",
    "idToken",
    "apiKey",
    "privateKey",
    "authorization",
    "cookie",
    "cookies",
    "setCookie",
    "email",
    "emails",
    "to",
    "from",
    "userName",
    "legalName",
    "totp",
    "otp",
    "mfaCode",
    "totpCode",
    "recoveryCode",
    "oneTimeCode",
    "signature",
  ].map((k) => k.toLowerCase()),
);

const normalisedKey = (key: string) => key.toLowerCase().replace(/[-_]/g, "");

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normalisedKey(key));
}

const PATTERNS: [RegExp, string][] = [
  // Bearer and Basic credentials, as in an Authorization header.
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  // JSON Web Tokens and encrypted ones (next-auth sessions, OIDC id tokens): a JSON header, then 2 to 4 more parts.
  [/\beyJ[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*){2,4}/g, REDACTED],
  // Clearance API tokens (lib/access/api-clients.ts).
  [/\bclr_[A-Za-z0-9_-]{16,}/g, REDACTED],
  // Session and CSRF cookies, with or without the __Secure-/__Host- prefix.
  [/((?:__Secure-|__Host-)?(?:next-auth|authjs)\.[a-z-]+(?:\.\d+)?)=[^;\s"']+/gi, `$1=${REDACTED}`],
  // key=value and "key": "value" pairs whose key names a secret.
  [
    /\b(password|passphrase|secret|token|api[_-]?key|totp|otp|code)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
    `$1$2${REDACTED}`,
  ],
  // E-mail addresses (Unicode local parts and domains included).
  [/[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu, "[email]"],
];

/** A string with every secret-looking part replaced. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 8;

/** A copy of `value` fit for a log line: secret keys replaced, strings scrubbed, errors reduced to their name and message. */
const isCounts = (v: unknown) =>
  v !== null &&
  typeof v === "object" &&
  Object.getPrototypeOf(v) === Object.prototype &&
  Object.values(v).every((x) => typeof x === "number" || typeof x === "boolean");

export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[nested]";
  if (value instanceof Error) return scrubError(value);
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (value instanceof Map) return scrubValue(Object.fromEntries(value), depth);
  if (value instanceof Headers) return scrubValue(Object.fromEntries(value.entries()), depth);
  const out: Record<string, unknown> = {};
  // Under a secret-looking key a value goes, unless it holds only counts (a report's "emails" step).
  for (const [key, v] of Object.entries(value))
    out[key] = isSecretKey(key) && !isCounts(v) ? REDACTED : scrubValue(v, depth + 1);
  return out;
}

/** An error as a log field: its type, a scrubbed first line of its message, a scrubbed stack and its code. */
export function scrubError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error))
    // Already reduced (pino runs serializers after the log formatter), or a thrown non-error.
    return error !== null && typeof error === "object"
      ? (scrubValue(error) as Record<string, unknown>)
      : { type: typeof error };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: scrubText(error.message.split("\n")[0].slice(0, 300)),
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    ...(error.stack ? { stack: scrubText(error.stack.split("\n").slice(1, 8).join("\n")) } : {}),
  };
}
