import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import type { AppRole } from "@/db/schema";
import { CAPABILITIES, gate, may, PERMISSIONS, type GatePerson, type PermissionKey } from "@/lib/auth/permissions";
import { MFA_REQUIRED_ROLES } from "@/lib/auth/roles";

/**
 * The permission table against the files under app/: every page, layout
 * that guards, route handler and exported Server Action has exactly one
 * entry, every entry names a file that exists, and every file the gate
 * guards names its own key.
 */

const APP = path.resolve("app");
// Metadata files Next.js serves as route handlers.
const METADATA_ROUTES: Record<string, string> = {
  "robots.ts": "/robots.txt",
  "sitemap.ts": "/sitemap.xml",
  "manifest.ts": "/manifest.webmanifest",
};

type Found = { keys: PermissionKey[] | string[]; file: string };

const urlPath = (dir: string) => {
  const parts = path
    .relative(APP, dir)
    .split(path.sep)
    .filter((p) => p && !/^\(.*\)$/.test(p));
  return `/${parts.join("/")}`;
};

/** Every entry point under app/, with the key (or, for a route handler, the keys) it may have. */
function entryPoints(dir = APP): Found[] {
  const found: Found[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      found.push(...entryPoints(full));
      continue;
    }
    const source = readFileSync(full, "utf8");
    if (name === "page.tsx") found.push({ keys: [`page:${urlPath(dir)}`], file: full });
    else if (name === "route.ts")
      found.push({ keys: [`route:${urlPath(dir)}`, `download:${urlPath(dir)}`], file: full });
    else if (dir === APP && METADATA_ROUTES[name]) found.push({ keys: [`route:${METADATA_ROUTES[name]}`], file: full });
    else if (name === "layout.tsx" && /@\/lib\/auth\/gate/.test(source))
      found.push({ keys: [`layout:/${path.relative(APP, dir).split(path.sep).join("/")}`], file: full });
    else if (name === "actions.ts" && /^["']use server["']/m.test(source)) {
      const folder = path
        .relative(APP, dir)
        .split(path.sep)
        .filter((p) => !/^[([]/.test(p))
        .join("/");
      for (const m of source.matchAll(/^export (?:const|async function) (\w+)/gm))
        found.push({ keys: [`action:${folder}.${m[1]}`], file: full });
    }
  }
  return found;
}

const table = Object.keys(PERMISSIONS) as PermissionKey[];
const isGated = (key: PermissionKey) => PERMISSIONS[key].who !== "public" && PERMISSIONS[key].who !== "token";

describe("the permission table", () => {
  const found = entryPoints();

  it("has one entry for every page, guarding layout, route handler and Server Action", () => {
    const missing = found
      .filter((f) => f.keys.filter((k) => table.includes(k as PermissionKey)).length !== 1)
      .map((f) => `${f.keys.join(" or ")} (${path.relative(APP, f.file)})`);
    expect(missing, "add these to lib/auth/permissions.ts").toEqual([]);
  });

  it("names nothing that does not exist", () => {
    const existing = new Set(found.flatMap((f) => f.keys));
    expect(table.filter((key) => !existing.has(key))).toEqual([]);
  });

  it("is named by every file the gate guards, so the file and its entry cannot drift apart", () => {
    const unnamed = found.flatMap((f) => {
      const key = f.keys.find((k) => table.includes(k as PermissionKey)) as PermissionKey | undefined;
      return key && isGated(key) && !readFileSync(f.file, "utf8").includes(`"${key}"`)
        ? [`${key} is not named in ${path.relative(APP, f.file)}`]
        : [];
    });
    expect(unnamed).toEqual([]);
  });

  it("lets a person who must enrol in MFA through enrolment only", () => {
    const pendingOk = table.filter((key) => isGated(key) && "mfaPending" in PERMISSIONS[key]);
    expect(pendingOk.sort()).toEqual([
      "action:account/mfa.confirmMfa",
      "action:account/passkeys.addPasskey",
      "action:account/passkeys.beginPasskey",
      "layout:/(app)",
      "page:/account/mfa",
    ]);
  });

  it("checks roles nowhere else in app/: pages and actions name a key or a capability", () => {
    const offenders = found
      .filter((f) => /\bhasRole\(|\brequireRole\(|\broles:\s*\[/.test(readFileSync(f.file, "utf8")))
      .map((f) => path.relative(APP, f.file));
    expect([...new Set(offenders)]).toEqual([]);
  });
});

describe("the gate", () => {
  const person = (roles: AppRole[], enrolled: boolean): GatePerson => ({
    roles: ["employee", ...roles],
    mfaEnabled: enrolled,
    mfaRequired: roles.some((r) => MFA_REQUIRED_ROLES.includes(r)),
  });
  const cases: [string, GatePerson | null, PermissionKey, string][] = [
    ["anyone on a public page", null, "page:/verify", "ok"],
    ["anyone on a token endpoint (the handler checks the token)", null, "route:/api/v1/events", "ok"],
    ["a visitor on a signed-in page", null, "page:/dashboard", "signed_out"],
    ["a visitor on a download", null, "download:/certificates/[id]", "signed_out"],
    ["an employee on a signed-in page", person([], false), "page:/dashboard", "ok"],
    ["an employee on an admin page", person([], false), "page:/admin/people", "forbidden"],
    ["an employee on a team export", person([], false), "download:/team/export", "forbidden"],
    ["an enrolled manager on the team export", person(["manager"], true), "download:/team/export", "ok"],
    [
      "a manager before enrolment on the team export",
      person(["manager"], false),
      "download:/team/export",
      "mfa_required",
    ],
    [
      "a manager before enrolment on a certificate",
      person(["manager"], false),
      "download:/certificates/[id]",
      "mfa_required",
    ],
    [
      "an auditor before enrolment on a signed PDF",
      person(["auditor"], false),
      "download:/agreements/documents/[id]",
      "mfa_required",
    ],
    [
      "a manager before enrolment on their own data",
      person(["manager"], false),
      "download:/account/data/export",
      "mfa_required",
    ],
    [
      "an admin before enrolment on an admin action",
      person(["compliance_admin"], false),
      "action:admin/people.changeRoles",
      "mfa_required",
    ],
    ["a manager before enrolment on enrolment", person(["manager"], false), "page:/account/mfa", "ok"],
    ["a manager before enrolment confirming a code", person(["manager"], false), "action:account/mfa.confirmMfa", "ok"],
    ["a manager before enrolment on a public page", person(["manager"], false), "page:/verify", "ok"],
    ["an enrolled auditor reading people", person(["auditor"], true), "page:/admin/people", "ok"],
    ["an enrolled auditor adding a person", person(["auditor"], true), "page:/admin/people/new", "forbidden"],
    ["an enrolled auditor changing roles", person(["auditor"], true), "action:admin/people.changeRoles", "forbidden"],
    ["an enrolled admin deciding access", person(["compliance_admin"], true), "action:access.decide", "ok"],
    ["an enrolled auditor deciding access", person(["auditor"], true), "action:access.decide", "forbidden"],
  ];
  for (const [name, viewer, key, expected] of cases) {
    it(name, () => {
      const verdict = gate(viewer, key);
      expect(verdict.ok ? "ok" : verdict.refusal).toBe(expected);
    });
  }

  it("gives each capability one meaning", () => {
    expect(CAPABILITIES).toEqual({
      administer: ["compliance_admin"],
      oversee: ["compliance_admin", "auditor"],
      lead_team: ["manager"],
      approve_access: ["manager", "compliance_admin"],
    });
    expect(may({ roles: ["employee", "auditor"] }, "oversee")).toBe(true);
    expect(may({ roles: ["employee", "auditor"] }, "administer")).toBe(false);
  });
});
