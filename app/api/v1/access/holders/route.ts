import { getDb } from "@/db/client";
import { holdersQuery } from "@/lib/access/api-schemas";
import { roleHolders } from "@/lib/access/holders";
import { isoDate } from "@/lib/format";
import { parseOrReply, toResponse, withApiClient } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { csvResponse, toCsv } from "@/lib/reports/csv";

export const dynamic = "force-dynamic";

/** Everyone who holds a role now, as JSON or CSV (?format=csv), for access reviews. */
async function handleGet(request: Request) {
  return withApiClient(request, "access:read", async () => {
    const parsed = parseOrReply(holdersQuery, Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.ok) return toResponse(parsed.reply);
    const now = new Date();
    const holders = await roleHolders(await getDb(), parsed.data.role, now);
    if (!holders) return apiError(404, "unknown_role", `No data-access role "${parsed.data.role}".`);
    const rows = holders.map((h) => ({
      id: h.id,
      email: h.email,
      name: h.name,
      department: h.department,
      valid_until: h.validUntil?.toISOString() ?? null,
      grant_ends_at: h.grantEndsAt?.toISOString() ?? null,
    }));
    if (parsed.data.format === "csv") {
      const csv = toCsv([
        ["id", "email", "name", "department", "valid_until", "grant_ends_at"],
        ...rows.map((r) => [r.id, r.email, r.name, r.department, r.valid_until, r.grant_ends_at]),
      ]);
      return csvResponse(csv, `holders-${parsed.data.role}-${isoDate(now)}.csv`);
    }
    return Response.json(
      { role: parsed.data.role, at: now.toISOString(), holders: rows },
      { headers: { "Cache-Control": "no-store" } },
    );
  });
}

export const GET = observed("/api/v1/access/holders", handleGet);
