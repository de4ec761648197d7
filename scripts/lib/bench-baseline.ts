import { createServer, type Server } from "node:http";

import postgres from "postgres";

import { accessRole } from "@/lib/access/facts";
import { majorOf } from "@/lib/certification/status.rules";
import { getContent } from "@/lib/content";

/**
 * The floor to compare the API with: a bare node:http server answering the
 * same question through the same driver with one query joining the person,
 * their effective grant, latest certifications and latest signatures. No
 * token check, rate limit, decision log or framework. Superseded course
 * versions are not handled (the bench data has none).
 */

const DECISION_SQL = `
select p.status,
  (select json_build_object('status', g.status, 'ends_at', g.ends_at) from access_grants g
     where g.person_id = p.id and g.role_id = $2 and g.status in ('approved', 'revoked') and g.decided_at <= $3
     order by case when g.status = 'revoked' and g.revoked_at <= $3 then coalesce(g.revoked_at, g.decided_at) else g.decided_at end desc
     limit 1) as grant,
  (select coalesce(json_agg(c), '[]') from (
     select distinct on (course_id) course_id, expires_at from certifications
     where person_id = p.id and course_id = any($4) and issued_at <= $3 order by course_id, issued_at desc) c) as certs,
  (select coalesce(json_agg(s), '[]') from (
     select distinct on (agreement_id) agreement_id, agreement_version, renewal_due_at from signatures
     where person_id = p.id and agreement_id = any($5) and outcome = 'signed' and signed_at <= $3 order by agreement_id, signed_at desc) s) as sigs
from people p where p.email = $1`;

type Row = {
  status: string;
  grant: { status: string; ends_at: string | null } | null;
  certs: { course_id: string; expires_at: string }[];
  sigs: { agreement_id: string; agreement_version: string; renewal_due_at: string | null }[];
};

export function startBaselineServer(
  databaseUrl: string,
  port: number,
): Promise<{ server: Server; close: () => Promise<void> }> {
  const sql = postgres(databaseUrl, { max: 10, onnotice: () => {} });
  const agreementVersions = new Map(getContent().agreements.map((a) => [a.id, a.version]));

  async function decide(user: string, roleId: string) {
    const role = accessRole(roleId);
    if (!role)
      return { status: 404, body: { error: { code: "unknown_role", message: `No data-access role "${roleId}".` } } };
    const now = new Date();
    const [row] = (await sql.unsafe(DECISION_SQL, [
      user.toLowerCase(),
      roleId,
      now,
      role.courses,
      role.agreements,
    ])) as unknown as Row[];
    if (!row) return { status: 404, body: { error: { code: "unknown_user", message: `No person "${user}".` } } };
    const t = now.getTime();
    const reasons: string[] = [];
    const limits: number[] = [];
    if (row.status !== "active") reasons.push("account_inactive");
    const grant = row.grant;
    if (!grant) reasons.push("no_grant");
    else if (grant.status === "revoked") reasons.push("grant_revoked");
    else if (grant.ends_at && t >= Date.parse(grant.ends_at)) reasons.push("grant_ended");
    else if (grant.ends_at) limits.push(Date.parse(grant.ends_at));
    for (const courseId of role.courses) {
      const cert = row.certs.find((c) => c.course_id === courseId);
      if (!cert) reasons.push(`course_missing:${courseId}`);
      else if (t >= Date.parse(cert.expires_at)) reasons.push(`course_expired:${courseId}`);
      else limits.push(Date.parse(cert.expires_at));
    }
    for (const agreementId of role.agreements) {
      const sig = row.sigs.find((s) => s.agreement_id === agreementId);
      const current = agreementVersions.get(agreementId);
      if (!sig || !current) reasons.push(`agreement_missing:${agreementId}`);
      else if (
        majorOf(sig.agreement_version) < majorOf(current) ||
        (sig.renewal_due_at && t >= Date.parse(sig.renewal_due_at))
      )
        reasons.push(`agreement_outdated:${agreementId}`);
      else if (sig.renewal_due_at) limits.push(Date.parse(sig.renewal_due_at));
    }
    const allow = reasons.length === 0;
    return {
      status: 200,
      body: {
        allow,
        reasons,
        valid_until: allow && limits.length ? new Date(Math.min(...limits)).toISOString() : null,
      },
    };
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://baseline");
    const user = url.searchParams.get("user");
    const role = url.searchParams.get("role");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/health") return send(200, { status: "ok" });
    if (url.pathname !== "/api/v1/access/check" || !user || !role)
      return send(400, { error: { code: "invalid_request", message: "user and role are required" } });
    try {
      const { status, body } = await decide(user, role);
      send(status, body);
    } catch {
      send(500, { error: { code: "internal", message: "query failed" } });
    }
  });
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () =>
      resolve({
        server,
        close: async () => {
          await new Promise((r) => server.close(r));
          await sql.end({ timeout: 5 });
        },
      }),
    ),
  );
}
