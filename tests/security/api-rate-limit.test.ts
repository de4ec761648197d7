import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { GET as checkGet } from "@/app/api/v1/access/check/route";
import { rateLimits } from "@/db/schema";
import { createApiClient } from "@/lib/access/api-clients";
import { hitSharedRateLimit, leaseSize, type LocalWindow } from "@/lib/http/rate-limit";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * API rate limits under requests sent together, on one instance and on
 * several: each instance answers from a lease of the window's quota it took
 * from the shared counter, which never passes the limit.
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

  it("holds the limit exactly across instances: 120 calls at once over two instances take 60 of 60, refusals take nothing", async () => {
    for (const limit of [60, 7, 1000]) {
      const key = `test:${Math.random()}`;
      const now = new Date();
      const instances = [new Map<string, LocalWindow>(), new Map<string, LocalWindow>()];
      const calls = 2 * limit;
      const verdicts = await Promise.all(
        Array.from({ length: calls }, (_, i) =>
          hitSharedRateLimit(database.db(), key, limit, 60, now, instances[i % 2]),
        ),
      );
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(limit);
      const [row] = await database
        .db()
        .select({ count: rateLimits.count })
        .from(rateLimits)
        .where(and(eq(rateLimits.key, key)));
      expect(row.count).toBe(limit);
      // Later calls in the window are refused by both, without another write.
      for (const windows of instances)
        expect(await hitSharedRateLimit(database.db(), key, limit, 60, now, windows)).toMatchObject({ allowed: false });
    }
  });

  it("refuses early by no more than the quota another instance holds unused", async () => {
    const key = `test:${Math.random()}`;
    const now = new Date();
    const [a, b] = [new Map<string, LocalWindow>(), new Map<string, LocalWindow>()];
    const limit = 60;
    // Instance A answers one call and keeps the rest of its lease.
    expect(await hitSharedRateLimit(database.db(), key, limit, 60, now, a)).toMatchObject({ allowed: true });
    const burst = await Promise.all(
      Array.from({ length: 100 }, () => hitSharedRateLimit(database.db(), key, limit, 60, now, b)),
    );
    const allowedOnB = burst.filter((v) => v.allowed).length;
    expect(allowedOnB).toBeGreaterThanOrEqual(limit - leaseSize(limit));
    expect(allowedOnB).toBeLessThanOrEqual(limit - 1);
    // What A holds is still A's to answer: the two together never pass the limit.
    let allowedOnA = 1;
    while ((await hitSharedRateLimit(database.db(), key, limit, 60, now, a)).allowed) allowedOnA++;
    expect(allowedOnA + allowedOnB).toBe(limit);
  });
});
