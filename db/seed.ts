import "server-only";

import { eq, sql } from "drizzle-orm";

import { openSigningRequest } from "@/lib/agreements/partner-register";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { newVerificationCode } from "@/lib/certification/records";
import { expiryFor } from "@/lib/certification/status.rules";
import { hashPassword } from "@/lib/crypto/password";
import { DAY } from "@/lib/time";

import type { Db } from "./client";
import { assignments, certifications, departments, partners, people, quizAttempts, type AppRole } from "./schema";
import { seedDemoHistory } from "./seed-history";

/** The demo password for every seeded account (see README). */
export const DEMO_PASSWORD = "Clearance-demo-2026";
export const DEMO_DOMAIN = "brightline.example";

const DEPARTMENTS = [
  ["support", "Customer Support"],
  ["engineering", "Engineering"],
  ["sales", "Sales"],
  ["finance", "Finance"],
  ["people", "People"],
  ["legal", "Legal & Compliance"],
  ["procurement", "Procurement"],
] as const;

type SeedPerson = {
  key: string;
  name: string;
  department: (typeof DEPARTMENTS)[number][0];
  title: string;
  manager?: string;
  roles?: AppRole[];
  hireDate: string;
};

/** Two levels of management under the COO: heads of department, then team leads. */
const PEOPLE: SeedPerson[] = [
  {
    key: "olivia.grant",
    name: "Olivia Grant",
    department: "people",
    title: "Chief Operating Officer",
    roles: ["manager"],
    hireDate: "2019-02-04",
  },
  {
    key: "carmen.diaz",
    name: "Carmen Díaz",
    department: "legal",
    title: "Compliance Lead",
    manager: "olivia.grant",
    roles: ["compliance_admin"],
    hireDate: "2020-06-15",
  },
  {
    key: "amir.haddad",
    name: "Amir Haddad",
    department: "legal",
    title: "Internal Auditor",
    manager: "olivia.grant",
    roles: ["auditor"],
    hireDate: "2021-09-01",
  },
  {
    key: "marcus.webb",
    name: "Marcus Webb",
    department: "support",
    title: "Head of Support",
    manager: "olivia.grant",
    roles: ["manager"],
    hireDate: "2019-05-20",
  },
  {
    key: "priya.nair",
    name: "Priya Nair",
    department: "support",
    title: "Support Team Lead (EMEA)",
    manager: "marcus.webb",
    roles: ["manager"],
    hireDate: "2020-03-09",
  },
  {
    key: "tom.becker",
    name: "Tom Becker",
    department: "support",
    title: "Support Team Lead (Americas)",
    manager: "marcus.webb",
    roles: ["manager"],
    hireDate: "2021-01-11",
  },
  {
    key: "ana.silva",
    name: "Ana Silva",
    department: "support",
    title: "Support Engineer",
    manager: "priya.nair",
    hireDate: "2023-04-03",
  },
  {
    key: "li.hua",
    name: "李华",
    department: "support",
    title: "Support Engineer",
    manager: "priya.nair",
    hireDate: "2024-02-19",
  },
  {
    key: "jose.nunez",
    name: "José Ñúñez",
    department: "support",
    title: "Support Engineer",
    manager: "priya.nair",
    hireDate: "2022-10-17",
  },
  {
    key: "fatima.zahra",
    name: "Fatima Zahra",
    department: "support",
    title: "Senior Support Engineer",
    manager: "priya.nair",
    hireDate: "2021-07-05",
  },
  {
    key: "noah.kim",
    name: "Noah Kim",
    department: "support",
    title: "Support Engineer",
    manager: "priya.nair",
    hireDate: "2025-01-13",
  },
  {
    key: "emma.larsen",
    name: "Emma Larsen",
    department: "support",
    title: "Support Engineer",
    manager: "tom.becker",
    hireDate: "2023-08-21",
  },
  {
    key: "diego.ramos",
    name: "Diego Ramos",
    department: "support",
    title: "Support Engineer",
    manager: "tom.becker",
    hireDate: "2024-06-03",
  },
  {
    key: "grace.obi",
    name: "Grace Obi",
    department: "support",
    title: "Senior Support Engineer",
    manager: "tom.becker",
    hireDate: "2020-11-30",
  },
  {
    key: "liam.oconnor",
    name: "Liam O'Connor",
    department: "support",
    title: "Support Engineer",
    manager: "tom.becker",
    hireDate: "2025-09-01",
  },
  {
    key: "sofia.rossi",
    name: "Sofia Rossi",
    department: "support",
    title: "Support Engineer",
    manager: "tom.becker",
    hireDate: "2022-03-14",
  },
  {
    key: "daniel.cho",
    name: "Daniel Cho",
    department: "engineering",
    title: "Head of Engineering",
    manager: "olivia.grant",
    roles: ["manager"],
    hireDate: "2019-08-12",
  },
  {
    key: "hannah.muller",
    name: "Hannah Müller",
    department: "engineering",
    title: "Platform Team Lead",
    manager: "daniel.cho",
    roles: ["manager"],
    hireDate: "2020-10-05",
  },
  {
    key: "ravi.patel",
    name: "Ravi Patel",
    department: "engineering",
    title: "Site Reliability Engineer",
    manager: "hannah.muller",
    hireDate: "2022-01-24",
  },
  {
    key: "chloe.martin",
    name: "Chloé Martin",
    department: "engineering",
    title: "Backend Engineer",
    manager: "hannah.muller",
    hireDate: "2023-05-15",
  },
  {
    key: "yuki.tanaka",
    name: "Yuki Tanaka",
    department: "engineering",
    title: "Database Administrator",
    manager: "hannah.muller",
    hireDate: "2021-11-08",
  },
  {
    key: "omar.farouk",
    name: "Omar Farouk",
    department: "engineering",
    title: "Security Engineer",
    manager: "daniel.cho",
    hireDate: "2022-08-29",
  },
  {
    key: "elena.petrova",
    name: "Elena Petrova",
    department: "engineering",
    title: "Frontend Engineer",
    manager: "daniel.cho",
    hireDate: "2024-09-09",
  },
  {
    key: "samuel.adeyemi",
    name: "Samuel Adeyemi",
    department: "engineering",
    title: "Backend Engineer",
    manager: "daniel.cho",
    hireDate: "2025-03-03",
  },
  {
    key: "isabel.costa",
    name: "Isabel Costa",
    department: "sales",
    title: "Head of Sales",
    manager: "olivia.grant",
    roles: ["manager"],
    hireDate: "2019-11-18",
  },
  {
    key: "jack.thompson",
    name: "Jack Thompson",
    department: "sales",
    title: "Partnerships Manager",
    manager: "isabel.costa",
    roles: ["manager"],
    hireDate: "2021-04-26",
  },
  {
    key: "mei.chen",
    name: "Mei Chen",
    department: "sales",
    title: "Account Executive",
    manager: "isabel.costa",
    hireDate: "2023-02-06",
  },
  {
    key: "lucas.moreau",
    name: "Lucas Moreau",
    department: "sales",
    title: "Account Executive",
    manager: "isabel.costa",
    hireDate: "2024-10-14",
  },
  {
    key: "zara.ahmed",
    name: "Zara Ahmed",
    department: "sales",
    title: "Partner Success Specialist",
    manager: "jack.thompson",
    hireDate: "2022-12-05",
  },
  {
    key: "ben.carter",
    name: "Ben Carter",
    department: "sales",
    title: "Sales Development Rep",
    manager: "jack.thompson",
    hireDate: "2025-06-16",
  },
  {
    key: "nina.kowalski",
    name: "Nina Kowalski",
    department: "finance",
    title: "Head of Finance",
    manager: "olivia.grant",
    roles: ["manager"],
    hireDate: "2020-01-13",
  },
  {
    key: "peter.jansen",
    name: "Peter Jansen",
    department: "finance",
    title: "Payments Analyst",
    manager: "nina.kowalski",
    hireDate: "2022-05-02",
  },
  {
    key: "aisha.bello",
    name: "Aisha Bello",
    department: "finance",
    title: "Accountant",
    manager: "nina.kowalski",
    hireDate: "2023-09-18",
  },
  {
    key: "victor.lund",
    name: "Victor Lund",
    department: "finance",
    title: "Billing Specialist",
    manager: "nina.kowalski",
    hireDate: "2024-04-22",
  },
  {
    key: "tariq.rahman",
    name: "Tariq Rahman",
    department: "procurement",
    title: "Procurement Lead",
    manager: "nina.kowalski",
    roles: ["manager"],
    hireDate: "2021-02-15",
  },
  {
    key: "ingrid.solberg",
    name: "Ingrid Solberg",
    department: "procurement",
    title: "Vendor Risk Analyst",
    manager: "tariq.rahman",
    hireDate: "2024-11-04",
  },
  {
    key: "rachel.green",
    name: "Rachel Green",
    department: "people",
    title: "People Partner",
    manager: "olivia.grant",
    roles: ["manager"],
    hireDate: "2020-07-27",
  },
  {
    key: "kofi.mensah",
    name: "Kofi Mensah",
    department: "people",
    title: "Recruiter",
    manager: "rachel.green",
    hireDate: "2023-01-09",
  },
  {
    key: "laura.schmidt",
    name: "Laura Schmidt",
    department: "people",
    title: "People Operations Specialist",
    manager: "rachel.green",
    hireDate: "2024-11-04",
  },
  {
    key: "ivan.horvat",
    name: "Ivan Horvat",
    department: "legal",
    title: "Privacy Counsel",
    manager: "carmen.diaz",
    hireDate: "2021-03-22",
  },
  {
    key: "sara.lindqvist",
    name: "Sara Lindqvist",
    department: "legal",
    title: "Compliance Analyst",
    manager: "carmen.diaz",
    hireDate: "2024-01-15",
  },
  {
    key: "mateo.garcia",
    name: "Mateo García",
    department: "support",
    title: "Support Engineer",
    manager: "priya.nair",
    hireDate: "2026-10-05",
  },
];

export const DEMO_ACCOUNTS = {
  employee: `ana.silva@${DEMO_DOMAIN}`,
  manager: `priya.nair@${DEMO_DOMAIN}`,
  complianceAdmin: `carmen.diaz@${DEMO_DOMAIN}`,
  auditor: `amir.haddad@${DEMO_DOMAIN}`,
} as const;

/**
 * Creates the demo organisation, with a year of training history unless
 * `history` is false (the end-to-end tests walk people through their first
 * courses). Running it again changes nothing.
 */
export async function seedDemoOrganisation(
  db: Db,
  { history = true }: { history?: boolean } = {},
): Promise<{ created: number }> {
  const existing = await db.select({ count: sql<number>`count(*)::int` }).from(people);
  if (existing[0].count > 0) return { created: 0 };

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let created = 0;
  await db.transaction(async (tx) => {
    await tx
      .insert(departments)
      .values(DEPARTMENTS.map(([id, name]) => ({ id, name })))
      .onConflictDoNothing();
    const ids = new Map<string, string>();
    for (const person of PEOPLE) {
      const [row] = await tx
        .insert(people)
        .values({
          email: `${person.key}@${DEMO_DOMAIN}`,
          name: person.name,
          departmentId: person.department,
          title: person.title,
          managerId: person.manager ? ids.get(person.manager) : null,
          hireDate: person.hireDate,
          roles: Array.from(new Set<AppRole>(["employee", ...(person.roles ?? [])])).sort(),
          passwordHash,
        })
        .onConflictDoNothing({ target: people.email })
        .returning({ id: people.id });
      const id =
        row?.id ??
        (
          await tx
            .select({ id: people.id })
            .from(people)
            .where(eq(people.email, `${person.key}@${DEMO_DOMAIN}`))
        )[0].id;
      ids.set(person.key, id);
      if (row) created += 1;
    }
    // A realistic Monday morning: one report overdue, one due this week, one certification about to expire.
    const now = Date.now();
    await tx.insert(assignments).values([
      {
        personId: ids.get("ana.silva")!,
        courseId: "support-data-handling",
        source: "rule",
        assignedAt: new Date(now - 45 * DAY),
        dueAt: new Date(now - 15 * DAY),
      },
      {
        personId: ids.get("noah.kim")!,
        courseId: "incident-reporting",
        source: "rule",
        assignedAt: new Date(now - 27 * DAY),
        dueAt: new Date(now + 3 * DAY),
      },
    ]);
    const issued = new Date(now - 345 * DAY);
    const [attempt] = await tx
      .insert(quizAttempts)
      .values({
        personId: ids.get("li.hua")!,
        courseId: "data-protection-law",
        courseVersion: "1.0.0",
        status: "submitted",
        drawn: [],
        questionCount: 10,
        correctCount: 9,
        scorePercent: 90,
        passMark: 80,
        passed: true,
        startedAt: issued,
        submittedAt: issued,
      })
      .returning({ id: quizAttempts.id });
    await tx.insert(certifications).values({
      personId: ids.get("li.hua")!,
      courseId: "data-protection-law",
      courseVersion: "1.0.0",
      attemptId: attempt.id,
      issuedAt: issued,
      expiresAt: expiryFor(issued, 12),
      verificationCode: newVerificationCode(),
    });
    // A partner whose signing link lapsed unsigned: the register shows it expired, ready to resend.
    const [partner] = await tx
      .insert(partners)
      .values({
        name: "Harbor Analytics Ltd",
        contactName: "Tomás Rivera",
        contactEmail: "tomas.rivera@harbor-analytics.example",
        requiredAgreements: ["partner-dpa"],
        createdAt: new Date(now - 21 * DAY),
      })
      .returning();
    await openSigningRequest(tx, {
      partner,
      agreementId: "partner-dpa",
      requestedBy: { id: ids.get("carmen.diaz")!, name: "Carmen Díaz" },
      now: new Date(now - 20 * DAY),
    });
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: "seed.demo_organisation",
      data: { people: created, departments: DEPARTMENTS.length, partners: 1 },
    });
    // The walkthroughs' accounts and the people given work above keep it to do.
    if (history)
      await seedDemoHistory(tx, {
        domain: DEMO_DOMAIN,
        keep: [...Object.values(DEMO_ACCOUNTS), ...["li.hua", "noah.kim"].map((k) => `${k}@${DEMO_DOMAIN}`)],
      });
  });
  return { created };
}
