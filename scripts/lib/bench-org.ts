import { encode } from "next-auth/jwt";
import type { Sql } from "postgres";

import { privilegeStamp } from "@/lib/auth/session-stamp";
import { sha256Hex } from "@/lib/crypto/hash";
import { randomToken } from "@/lib/crypto/tokens";

import { seededRandom } from "./bench-seed";

/** The shape the page benchmarks give a seeded organisation, and the credentials they use on it. */

const SESSION_COOKIE = "next-auth.session-token";
// As lib/access/api-clients.ts makes them (importing it here would load next-auth outside Next).
const TOKEN_PREFIX = "clr_";

/**
 * Gives the seeded people a reporting line: one manager with `leads` team leads
 * under them and the rest of `team` under those leads; everyone else in other
 * teams of about 100; one compliance admin. Managers and admins have MFA on, as
 * the app requires of them. `team` is capped by the people there are.
 */
export async function shapeOrganisation(
  sql: Sql,
  options: { team: number; leads: number },
): Promise<{ managerId: string; adminId: string; teamSize: number }> {
  const ids = (await sql<{ id: string }[]>`select id from people order by email`).map((r) => r.id);
  const teamEnd = Math.min(1 + options.team, ids.length - 1);
  const managerId = ids[0];
  const adminId = ids[ids.length - 1];
  const leads = ids.slice(1, 1 + options.leads);
  const team = ids.slice(1 + options.leads, teamEnd);
  const others = ids.slice(teamEnd, ids.length - 1);
  const otherLeads = others.splice(0, Math.ceil(others.length / 100));
  const pairs: [string, string][] = [
    ...leads.map((id): [string, string] => [id, managerId]),
    ...team.map((id, i): [string, string] => [id, leads[i % leads.length]]),
    ...others.map((id, i): [string, string] => [id, otherLeads[i % otherLeads.length]]),
  ];
  for (let i = 0; i < pairs.length; i += 2000) {
    const slice = pairs.slice(i, i + 2000);
    await sql`update people set manager_id = v.manager::uuid from (values ${sql(slice)}) as v(person, manager) where people.id = v.person::uuid`;
  }
  const managers = [managerId, ...leads, ...otherLeads];
  for (let i = 0; i < managers.length; i += 2000)
    await sql`update people set roles = ${["employee", "manager"]}, mfa_enabled_at = now() where id in ${sql(managers.slice(i, i + 2000))}`;
  await sql`update people set roles = ${["employee", "compliance_admin"]}, mfa_enabled_at = now() where id = ${adminId}`;
  // The reports and the viewers are all active, so the page shows the whole team.
  await sql`update people set status = 'active' where id in ${sql([managerId, adminId, ...leads, ...team])}`;
  await sql`analyze`;
  return { managerId, adminId, teamSize: leads.length + team.length };
}

/** A session as sign-in starts one (a `sessions` row stamped with the person's roles, MFA and password) and its cookie. */
export async function sessionCookieFor(sql: Sql, personId: string, secret: string): Promise<string> {
  const [person] = await sql<
    { roles: string[]; mfa_enabled_at: Date | null; password_hash: string | null }[]
  >`select roles, mfa_enabled_at, password_hash from people where id = ${personId}`;
  const stamp = privilegeStamp({
    roles: person.roles,
    mfaEnabledAt: person.mfa_enabled_at,
    passwordHash: person.password_hash,
  });
  const [{ id: sid }] = await sql<{ id: string }[]>`insert into sessions
      (person_id, stamp, method, ip, user_agent, created_at, last_seen_at, expires_at)
    values (${personId}, ${stamp}, 'password', '127.0.0.1', 'bench', now(), now(), now() + interval '8 hours')
    returning id`;
  return `${SESSION_COOKIE}=${await encode({ token: { sub: personId, sid }, secret, maxAge: 3600 })}`;
}

/** An API client made as lib/access/api-clients.ts makes one (token stored as its SHA-256), with a limit no benchmark reaches. */
export async function createBenchApiClient(sql: Sql): Promise<string> {
  const token = `${TOKEN_PREFIX}${randomToken(32)}`;
  await sql`insert into api_clients (name, scopes, token_hash, token_prefix, rate_limit_per_minute, created_at) values ('bench', ${["access:check"]}, ${sha256Hex(token)}, ${token.slice(0, 10)}, ${2_000_000_000}, now())`;
  return token;
}

/**
 * `count` random (person, role) checks, the same sequence on every run, as
 * access-check query paths and as pairs. Every person is as likely as any
 * other, so a larger organisation is asked about more people, as it would be.
 */
export function randomChecks(emails: string[], roleIds: string[], count = 20_000) {
  const rnd = seededRandom(7);
  const pick = (n: number) => Math.floor(rnd() * n);
  const pairs = Array.from({ length: count }, () => ({
    user: emails[pick(emails.length)],
    role: roleIds[pick(roleIds.length)],
  }));
  const paths = pairs.map((p) => `/api/v1/access/check?user=${encodeURIComponent(p.user)}&role=${p.role}`);
  return { pairs, paths };
}
