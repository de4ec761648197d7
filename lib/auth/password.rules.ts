import commonPasswords from "./data/common-passwords.json";

/**
 * Password rules after NIST SP 800-63B rev. 4 (section 3.1.1.2): a length
 * floor that depends on whether the password is the only factor, a long
 * ceiling, a list of passwords known from breaches, the account's own words,
 * and nothing else: no composition rules, no forced rotation.
 */
export const PASSWORD_MIN_ALONE = 15;
export const PASSWORD_MIN_WITH_MFA = 8;
export const PASSWORD_MAX_LENGTH = 200;

const COMMON = new Set<string>(commonPasswords as string[]);
// Words of this service that people reach for first.
const CONTEXT_WORDS = ["clearance", "brightline", "password", "passwort", "compliance"];

/** Characters as a person counts them: one per code point, after NFKC (as the hash sees it). */
export function passwordLength(password: string): number {
  return [...password.normalize("NFKC")].length;
}

export function minPasswordLength(hasSecondFactor: boolean): number {
  return hasSecondFactor ? PASSWORD_MIN_WITH_MFA : PASSWORD_MIN_ALONE;
}

/** Lower case without spaces, and without the digits and symbols people add at either end ("Password123!" → "password"). */
function cores(password: string): string[] {
  const lower = password.normalize("NFKC").toLowerCase();
  const compact = lower.replace(/\s+/g, "");
  const stripped = compact.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, "");
  return [...new Set([lower, compact, stripped])].filter(Boolean);
}

export type PasswordContext = { email: string; name?: string | null; hasSecondFactor: boolean };

/** The first rule the password breaks, as a message for its field; null when it is fine. */
export function passwordProblem(password: string, context: PasswordContext): string | null {
  const min = minPasswordLength(context.hasSecondFactor);
  const length = passwordLength(password);
  if (length < min) {
    return context.hasSecondFactor
      ? `Use at least ${min} characters.`
      : `Use at least ${min} characters. A few unrelated words make a long password that is easy to remember.`;
  }
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  const found = cores(password);
  const email = context.email.trim().toLowerCase();
  const own = [
    email,
    email.split("@")[0],
    ...(context.name ? [context.name.toLowerCase(), context.name.toLowerCase().replace(/\s+/g, "")] : []),
  ];
  if (found.some((c) => own.includes(c))) return "Do not use your email address or your name as your password.";
  if (found.some((c) => COMMON.has(c) || CONTEXT_WORDS.includes(c))) {
    return "This password is on a list of passwords that attackers try first (from public breaches). Choose another.";
  }
  if (new Set(password).size < 4) return "This password repeats a few characters. Choose one that is harder to guess.";
  return null;
}
