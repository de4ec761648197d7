import { describe, expect, it } from "vitest";

import { GET as checkGet } from "@/app/api/v1/access/check/route";
import { createApiClient } from "@/lib/access/api-clients";
import { hitSharedRateLimit } from "@/lib/http/rate-limit";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * API rate limits under requests sent together. One instance holds its limit
 * exactly; the shared counter in the database is what other instances add to.
 */

const database = withTestDatabase();

describe("API rate limits under concurrent requests", () => {
  it("answers at most the token's limit of 30 checks sent at once, the rest 429", async () => {
    const admin = viewerOf({
      ...(await createPerson(database.db(), { roles: ["compliance_admin"] })),
      mfaEnabledAt: new Date(),
    });
    const person = await createPerson(database.db());
    const { token } = await createApiClient(admin, context(admin.id), {
      name: "gateway",
      scopes: ["access:check"],
      rateLimitPerMinute: 10,
    });
    const request = () =>
      new Request(`http://localhost/api/v1/access/check?user=${person.email}&role=customer-pii-read`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const statuses = await Promise.all(Array.from({ length: 30 }, () => checkGet(request()).then((r) => r.status)));
    expect(statuses.filter((s) => s !== 429)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });

  it("takes at most the limit from the shared window when 30 calls arrive at once", async () => {
    const key = `test:${Math.random()}`;
    const now = new Date();
    const first = await Promise.all(
      Array.from({ length: 30 }, () => hitSharedRateLimit(database.db(), key, 10, 60, now)),
    );
    expect(first.filter((v) => v.allowed)).toHaveLength(10);
  });
});
