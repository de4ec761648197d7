import type { Db } from "@/db/client";
import { outbox } from "@/db/schema";
import { createPartner, sendPartnerAgreement } from "@/lib/agreements/partner-register";

import { context, createPerson, viewerOf } from "./factories";

/** The token only ever exists in the emailed link: read it back from the outbox. */
export async function latestLinkToken(db: Db, requestId: string) {
  const rows = await db.select({ text: outbox.text, key: outbox.dedupeKey, at: outbox.createdAt }).from(outbox);
  const mine = rows
    .filter((r) => r.key.startsWith(`partner-signing-link:${requestId}`))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  return mine[0].text!.match(/partner-sign\/([A-Za-z0-9_-]+)/)![1];
}

/** The newest one-time code emailed for a signing request. */
export async function latestCode(db: Db, requestId: string) {
  const rows = await db.select({ text: outbox.text, key: outbox.dedupeKey, at: outbox.createdAt }).from(outbox);
  const mine = rows
    .filter((r) => r.key.startsWith(`partner-signing-code:${requestId}`))
    .sort((a, b) => b.key.localeCompare(a.key));
  return mine[0].text!.match(/\b(\d{6})\b/)![1];
}

/** A partner with one pending signing request for the data-protection agreement, and its link's token. */
export async function partnerWithLink(
  db: Db,
  partner: { name?: string; contactName?: string; contactEmail?: string } = {},
) {
  const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
  const created = await createPartner(admin, context(admin.id), {
    name: partner.name ?? "Acme Logistics GmbH",
    contactName: partner.contactName ?? "Hannah Müller",
    contactEmail: partner.contactEmail ?? "hannah@acme.example",
    requiredAgreements: ["partner-dpa"],
  });
  const request = await sendPartnerAgreement(admin, context(admin.id), created.id, "partner-dpa");
  return { admin, partner: created, request, token: await latestLinkToken(db, request.id) };
}
