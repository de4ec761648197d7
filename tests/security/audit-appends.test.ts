import { describe, expect, it } from "vitest";

import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify";

import { withTestDatabase } from "../helpers/test-database";

/**
 * Events recorded outside a transaction (a download, a sign-out) at the same
 * moment: each append holds the chain's lock to its end, so the chain never
 * forks and no append fails.
 */

const database = withTestDatabase();

describe("audit appends outside a transaction", () => {
  it("keeps one chain when 30 are recorded at once", async () => {
    const db = database.db();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        recordAudit(
          db,
          { actorId: null, actorLabel: "system" },
          {
            action: "certificate.downloaded",
            targetType: "certification",
            targetId: `c-${i}`,
            data: { holder: `p-${i}` },
          },
        ),
      ),
    );
    const verdict = await verifyAuditChain(db);
    expect(verdict).toMatchObject({ ok: true });
  });
});
