import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * What must never be in a server log (see scripts/check-logs.ts): the seed
 * data's e-mail addresses, the passwords the end-to-end tests type, bearer
 * tokens, API tokens and session cookies. The lists are read from the
 * repository, so a person or password added there is checked too.
 */

export type Forbidden = { emails: string[]; emailDomains: string[]; passwords: string[] };
export type Finding = { line: number; what: string; excerpt: string };

const EMAIL = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

function filesUnder(dir: string, extensions: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full, extensions);
    return extensions.test(name) ? [full] : [];
  });
}

/** The seed's addresses: its people (`key` at DEMO_DOMAIN) and every address written in db/seed*.ts and content/. */
export function seedEmails(root: string): { emails: string[]; emailDomains: string[] } {
  const seedFiles = readdirSync(path.join(root, "db"))
    .filter((name) => /^seed.*\.ts$/.test(name))
    .map((name) => path.join(root, "db", name));
  const emails = new Set<string>();
  const domains = new Set<string>();
  for (const file of seedFiles) {
    const text = readFileSync(file, "utf8");
    const domain = /DEMO_DOMAIN\s*=\s*"([^"]+)"/.exec(text)?.[1];
    if (domain) {
      domains.add(domain.toLowerCase());
      for (const [, key] of text.matchAll(/\bkey:\s*"([^"@\s]+)"/g)) emails.add(`${key}@${domain}`.toLowerCase());
    }
    for (const [address] of text.matchAll(EMAIL)) emails.add(address.toLowerCase());
  }
  for (const file of filesUnder(path.join(root, "content"), /\.(md|ya?ml|json|txt)$/)) {
    for (const [address] of readFileSync(file, "utf8").matchAll(EMAIL)) emails.add(address.toLowerCase());
  }
  return { emails: [...emails].sort(), emailDomains: [...domains].sort() };
}

/**
 * The passwords the end-to-end tests use: string literals typed into a
 * password field (`getByLabel("… password …").fill("…")`, "Type it again"),
 * constants and settings named *PASSWORD* (the e2e server's, in
 * playwright.config.ts, too), and the seed's DEMO_PASSWORD.
 */
export function testPasswords(root: string): string[] {
  const files = [
    ...filesUnder(path.join(root, "tests", "e2e"), /\.ts$/),
    ...filesUnder(path.join(root, "tests", "helpers"), /\.ts$/),
    ...filesUnder(path.join(root, "db"), /^seed.*\.ts$/),
    // The end-to-end server's own secrets (the test LRS's password, say).
    path.join(root, "playwright.config.ts"),
  ];
  const found = new Set<string>();
  const literal = `(["'\`])([^"'\`$]{6,})\\1`;
  for (const file of files) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const constant = new RegExp(`\\b[A-Z0-9_]*PASSWORD[A-Z0-9_]*\\s*=\\s*${literal}`).exec(line);
      if (constant) found.add(constant[2]);
      if (/getByLabel\([^)]*(password|type it again)/i.test(line)) {
        const typed = new RegExp(`\\.fill\\(\\s*${literal}`).exec(line);
        if (typed) found.add(typed[2]);
      }
    }
  }
  return [...found].sort();
}

export function forbiddenFor(root: string): Forbidden {
  return { ...seedEmails(root), passwords: testPasswords(root) };
}

const PATTERNS: [string, RegExp][] = [
  ["a bearer token", /\bBearer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]+/i],
  ["an API token", /\bclr_[A-Za-z0-9_-]{16,}/],
  ["a session cookie", /(?:next-auth|authjs)\.[a-z-]+(?:\.\d+)?=(?!\[redacted\])[^;\s"']+/i],
  ["a JSON Web Token", /\beyJ[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*){2,4}/],
];

/** The 40 characters before a finding, and a marker where it starts: CI output must not repeat the secret. */
const excerptOf = (line: string, at: number) => `${line.slice(Math.max(0, at - 40), at)}[here]`;

/** Every line of `text` holding something forbidden, with what it is (the value itself is not repeated). */
export function findLeaks(text: string, forbidden: Forbidden): Finding[] {
  const findings: Finding[] = [];
  const emails = new Set(forbidden.emails.map((e) => e.toLowerCase()));
  text.split("\n").forEach((line, index) => {
    const lower = line.toLowerCase();
    for (const [address] of line.matchAll(EMAIL)) {
      const domain = address.split("@")[1].toLowerCase();
      if (emails.has(address.toLowerCase()) || forbidden.emailDomains.includes(domain))
        findings.push({
          line: index + 1,
          what: "a seed e-mail address",
          excerpt: excerptOf(line, line.indexOf(address)),
        });
    }
    for (const password of forbidden.passwords) {
      const at = lower.indexOf(password.toLowerCase());
      if (at >= 0) findings.push({ line: index + 1, what: "a test password", excerpt: excerptOf(line, at) });
    }
    for (const [what, pattern] of PATTERNS) {
      const match = pattern.exec(line);
      if (match) findings.push({ line: index + 1, what, excerpt: excerptOf(line, match.index) });
    }
  });
  return findings;
}
