import "server-only";

import { randomUUID } from "node:crypto";

import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";

import { getDb } from "@/db/client";
import { lrsSettings, xapiStatements } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { encryptText } from "@/lib/crypto/encryption";
import { env } from "@/lib/env";
import { DomainError, FieldError } from "@/lib/errors";
import { isLocalName, isPrivateAddress, literalAddress } from "@/lib/webhooks/target-address";

import { checkLrsConnection, type LrsCheck } from "./lrs-channel";
import { forgetLrsConfig, isLoopbackHost, LRS_SECRET_CONTEXT, lrsConfig, withSlash } from "./lrs-config";
import { endpointForDisplay } from "./lrs-status";

/**
 * A compliance admin connects the learning record store in Admin → Webhooks
 * when the deployment sets none (`XAPI_LRS_URL` takes precedence). The
 * secret is write-only: encrypted on the way in, never read back to a page,
 * and sent only to the host it was entered for. Every change is audited in
 * its transaction.
 */

/** The endpoint an admin may enter: https to a public host, or http on loopback where XAPI_ALLOW_LOOPBACK_HTTP allows it. */
export const lrsEndpointSchema = z
  .string()
  .trim()
  .min(1, "Enter the store's xAPI endpoint, like https://lrs.example.com/xapi/.")
  .max(2000, "That URL is too long (at most 2,000 characters).")
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL, like https://lrs.example.com/xapi/." });
      return z.NEVER;
    }
    const loopbackAllowed = env().XAPI_ALLOW_LOOPBACK_HTTP && isLoopbackHost(url.hostname);
    const literal = literalAddress(url.hostname);
    const message =
      url.protocol !== "https:" && url.protocol !== "http:"
        ? "The endpoint must start with https://."
        : !loopbackAllowed && ((literal && isPrivateAddress(literal)) || isLocalName(url.hostname))
          ? "That address is on a private or internal network. Statements are sent only to a store on the public internet."
          : !loopbackAllowed && url.protocol === "http:"
            ? "Use https://: the key and secret would otherwise cross the network in clear."
            : url.username || url.password
              ? "Remove the user name and password from the URL: enter them as the key and secret below."
              : url.search || url.hash
                ? "Remove the ?query and #fragment: enter the endpoint alone, like https://lrs.example.com/xapi/."
                : null;
    if (message) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    // The endpoint is the part before `statements`; a pasted statements URL is taken back to it.
    url.pathname = withSlash(url.pathname.replace(/\/statements\/?$/i, "/"));
    return url.toString();
  });

export const lrsInputSchema = z.object({
  endpoint: lrsEndpointSchema,
  username: z
    .string()
    .trim()
    .max(500, "At most 500 characters.")
    .regex(/^[^:]*$/, "A key cannot contain a colon (:).")
    .nullish()
    .transform((v) => v || null),
  password: z
    .string()
    .max(1000, "At most 1,000 characters.")
    .nullish()
    .transform((v) => v || null),
  actor: z.enum(["account", "mbox"], "Choose how statements name people.").default("account"),
});
export type LrsInput = z.input<typeof lrsInputSchema>;

function assertAdminMayChoose() {
  if (env().XAPI_LRS_URL)
    throw new DomainError(
      "lrs_set_by_deployment",
      "The deployment's settings (XAPI_LRS_URL) choose the learning record store; change it there.",
      409,
    );
}

export type LrsSaved = { endpoint: string; firstConnection: boolean; check: LrsCheck };

/**
 * Connects the store, or changes it. A blank secret keeps the stored one,
 * but only for the same host and key: a secret is never sent to a host it
 * was not entered for. After saving, the store is asked once whether it
 * takes the credentials, so the admin knows at once.
 */
export async function saveLrsSettings(
  viewer: Viewer,
  context: AuditContext,
  input: LrsInput,
  now = new Date(),
): Promise<LrsSaved> {
  assertMay(viewer, "administer");
  assertAdminMayChoose();
  const parsed = lrsInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FieldError(String(issue?.path[0] ?? "endpoint"), "invalid_lrs", issue?.message ?? "Not valid.");
  }
  const { endpoint, username, password, actor } = parsed.data;
  const db = await getDb();
  const firstConnection = await db.transaction(async (tx) => {
    const [existing] = await tx.select().from(lrsSettings).where(eq(lrsSettings.id, 1)).for("update");
    const sameTarget =
      existing !== undefined &&
      new URL(existing.endpoint).origin === new URL(endpoint).origin &&
      existing.username === username;
    let connectionId: string;
    let secretEnc: string | null;
    if (password !== null) {
      connectionId = existing?.connectionId ?? randomUUID();
      secretEnc = encryptText(password, LRS_SECRET_CONTEXT(connectionId));
    } else if (existing?.secretEnc && username !== null) {
      if (!sameTarget)
        throw new FieldError(
          "password",
          "lrs_secret_required",
          "Enter the secret again: a stored secret is sent only to the host and key it was entered for.",
        );
      connectionId = existing.connectionId;
      secretEnc = existing.secretEnc;
    } else {
      if (username !== null)
        throw new FieldError("password", "lrs_secret_required", "Enter the secret that goes with this key.");
      connectionId = existing?.connectionId ?? randomUUID();
      secretEnc = null;
    }
    const values = { id: 1, connectionId, endpoint, username, secretEnc, actor, updatedBy: viewer.id, updatedAt: now };
    await tx.insert(lrsSettings).values(values).onConflictDoUpdate({ target: lrsSettings.id, set: values });
    await recordAudit(
      tx,
      context,
      {
        action: "xapi.lrs_saved",
        targetType: "lrs",
        targetId: connectionId,
        data: {
          endpoint: endpointForDisplay(endpoint),
          actor,
          key: username !== null,
          secretReplaced: password !== null,
          firstConnection: !existing,
        },
      },
      now,
    );
    return !existing;
  });
  forgetLrsConfig();
  const config = await lrsConfig(db, { fresh: true });
  const check = config
    ? await checkLrsConnection(config)
    : { ok: false, message: "The store was disconnected meanwhile." };
  return { endpoint: endpointForDisplay(endpoint), firstConnection, check };
}

/**
 * Disconnects the store an admin connected. Nothing new is queued from then
 * on; statements already waiting stay queued and go out if a store is
 * connected again.
 */
export async function disconnectLrs(viewer: Viewer, context: AuditContext, now = new Date()): Promise<void> {
  assertMay(viewer, "administer");
  assertAdminMayChoose();
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(lrsSettings)
      .where(eq(lrsSettings.id, 1))
      .returning({ connectionId: lrsSettings.connectionId, endpoint: lrsSettings.endpoint });
    if (!removed) throw new DomainError("lrs_not_connected", "No learning record store is connected.", 409);
    await recordAudit(
      tx,
      context,
      {
        action: "xapi.lrs_disconnected",
        targetType: "lrs",
        targetId: removed.connectionId,
        data: { endpoint: endpointForDisplay(removed.endpoint) },
      },
      now,
    );
  });
  forgetLrsConfig();
}

/**
 * Puts the statements that failed for good back in the queue, to be sent on
 * the next run (after an outage longer than the retries, or once the
 * credentials are fixed). A statement whose body the retention policy has
 * emptied is not resent. Each failed statement is re-queued by one request
 * only, however many run at once.
 */
export async function resendFailedStatements(
  viewer: Viewer,
  context: AuditContext,
  now = new Date(),
): Promise<{ requeued: number }> {
  assertMay(viewer, "administer");
  const db = await getDb();
  if (!(await lrsConfig(db, { fresh: true })))
    throw new DomainError("lrs_not_connected", "Connect a learning record store first.", 409);
  return db.transaction(async (tx) => {
    const requeued = await tx
      .update(xapiStatements)
      .set({ status: "queued", attempts: 0, nextAttemptAt: now })
      .where(and(eq(xapiStatements.status, "failed"), sql`${xapiStatements.statement} <> '{}'::jsonb`))
      .returning({ id: xapiStatements.id });
    if (requeued.length > 0)
      await recordAudit(
        tx,
        context,
        { action: "xapi.statements_requeued", targetType: "lrs", data: { count: requeued.length } },
        now,
      );
    return { requeued: requeued.length };
  });
}
