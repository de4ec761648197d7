import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { sampleProps } from "@/emails/samples";
import { env } from "@/lib/env";
import { emailKinds, renderEmail, type EmailKind, type EmailProps } from "@/lib/notify/templates";

// Renders every template with sample data so a person can look at them in a browser.
const dir = path.join(env().dataDir, "email-preview");
mkdirSync(dir, { recursive: true });
for (const kind of emailKinds) {
  const { subject, html, text } = await renderEmail(kind, sampleProps[kind] as EmailProps<EmailKind>);
  writeFileSync(path.join(dir, `${kind}.html`), html);
  writeFileSync(path.join(dir, `${kind}.txt`), `Subject: ${subject}\n\n${text}\n`);
  console.log(`${kind.padEnd(24)} ${subject}`);
}
console.log(`\n${emailKinds.length} emails written to ${dir}`);
