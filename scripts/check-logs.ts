import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { findLeaks, forbiddenFor } from "./lib/log-check";

/**
 * Fails (exit 1) if a server log holds personal data or secrets: an address
 * of the seed data, a password the end-to-end tests type, a bearer or API
 * token, a session cookie. CI runs it on the log of the end-to-end run
 * (playwright.config.ts writes it); `npm run logs:check -- FILE` checks another.
 */
export const DEFAULT_LOG = "logs/e2e-server.log";

const file = path.resolve(process.argv[2] ?? DEFAULT_LOG);
if (!existsSync(file)) {
  console.error(`No log at ${file}: run the end-to-end tests first (npm run test:e2e), or name a file.`);
  process.exit(2);
}
const text = readFileSync(file, "utf8");
const forbidden = forbiddenFor(process.cwd());
const findings = findLeaks(text, forbidden);
const lines = text.split("\n").filter(Boolean).length;
if (findings.length === 0) {
  console.log(
    `${path.relative(process.cwd(), file)}: ${lines} lines, none holds a seed address (${forbidden.emails.length} known), a test password (${forbidden.passwords.length} known), a token or a session cookie.`,
  );
} else {
  console.error(`${path.relative(process.cwd(), file)}: ${findings.length} finding(s) in ${lines} lines:`);
  for (const f of findings.slice(0, 50)) console.error(`  line ${f.line}: ${f.what}: …${f.excerpt}`);
  process.exit(1);
}
