import { eq, sql } from "drizzle-orm";
import nodemailer from "nodemailer";
import { describe, expect, it } from "vitest";
import { z } from "zod";

import { assignments, auditEvents, departments, outbox, passwordTokens, people } from "@/db/schema";
import { getCourse } from "@/lib/content";
import { verifyPassword } from "@/lib/crypto/password";
import { DomainError, ForbiddenError } from "@/lib/errors";
import { emailChannel } from "@/lib/notify/email-channel";
import { renderPayload } from "@/lib/notify/welcome";
import { applyImport, previewImport } from "@/lib/people/import-people";
import { passwordLinkView, setPasswordWithToken } from "@/lib/people/invitations";
import {
  createPerson as createPersonAsAdmin,
  PersonFieldError,
  personFormSchema,
  resendInvitation,
  updatePerson,
} from "@/lib/people/person-editor";

import { context, createPerson, reload, viewerOf } from "../helpers/factories";
import { rowsOf, withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const NOW = new Date("2026-11-29T10:00:00Z");

/** Row counts of every table an import may write to: the dry run must leave them all as they were. */
async function counts() {
  const db = database.db();
  const result = await db.execute(sql`
    select (select count(*) from people)::int as people, (select count(*) from audit_events)::int as audit,
           (select count(*) from outbox)::int as outbox, (select count(*) from password_tokens)::int as tokens,
           (select count(*) from assignments)::int as assignments, (select max(updated_at) from people) as updated`);
  return rowsOf<Record<string, unknown>>(result)[0];
}

async function setUp(prefix: string) {
  const db = database.db();
  await db.insert(departments).values({ id: "engineering", name: "Engineering" }).onConflictDoNothing();
  const admin = viewerOf(
    await createPerson(db, { roles: ["compliance_admin"], email: `${prefix}.admin@test.example`, name: "Ada Admin" }),
  );
  const boss = await createPerson(db, { email: `${prefix}.boss@test.example`, name: "Bea Boss" });
  const existing = await createPerson(db, {
    email: `${prefix}.ana@test.example`,
    name: "Ana Silva",
    managerId: boss.id,
  });
  await db.update(people).set({ title: "Support Engineer" }).where(eq(people.id, existing.id));
  return { admin, boss, existing };
}

const invitationLink = (text: string) => /\/set-password\/([A-Za-z0-9_-]+)/.exec(text)?.[1];

describe("people CSV import", () => {
  it("previews without writing, applies exactly the valid rows in one go, and a second import changes nothing", async () => {
    const db = database.db();
    const { admin, boss, existing } = await setUp("imp");
    const csv = [
      "\uFEFFemail,name,department,title,manager_email,hire_date,roles",
      `imp.new1@test.example,"Nuñez, José",engineering,Backend Engineer,imp.new2@test.example,2026-12-01,`,
      `imp.new2@test.example,李华,Engineering,Team Lead,${boss.email},2026-01-15,manager|employee`,
      `${existing.email.toUpperCase()},Ana Silva,Customer Support,Senior Support Engineer,${boss.email},,`,
      `${boss.email},Bea Boss,,,,,`,
      `imp.bad@test.example,Bad Row,Marketing,,,2026-02-30,`,
    ].join("\r\n");

    const before = await counts();
    const preview = await previewImport(admin, csv);
    expect(await counts()).toEqual(before);
    if (!preview.ok) throw new Error(preview.error);
    expect(preview.summary).toEqual({ rows: 5, create: 2, update: 1, unchanged: 1, invalid: 1 });
    expect(preview.rows.map((r) => r.action)).toEqual(["create", "create", "update", "unchanged", "invalid"]);
    expect(preview.rows[2].changes).toEqual([
      { field: "title", from: "Support Engineer", to: "Senior Support Engineer" },
    ]);
    expect(preview.rows[4].errors.map((e) => [e.row, e.column])).toEqual([
      [6, "department"],
      [6, "hire_date"],
    ]);

    const result = await applyImport(admin, context(admin.id), csv, NOW);
    expect(result).toMatchObject({ created: 2, updated: 1 });

    const [new1] = await db.select().from(people).where(eq(people.email, "imp.new1@test.example"));
    const [new2] = await db.select().from(people).where(eq(people.email, "imp.new2@test.example"));
    expect(new1).toMatchObject({
      name: "Nuñez, José",
      departmentId: "engineering",
      title: "Backend Engineer",
      managerId: new2.id,
      hireDate: "2026-12-01",
      roles: ["employee"],
      passwordHash: null,
    });
    expect(new2).toMatchObject({ name: "李华", managerId: boss.id, roles: ["employee", "manager"] });
    expect(await reload(db, existing.id)).toMatchObject({ title: "Senior Support Engineer", managerId: boss.id });
    expect(await db.select().from(people).where(eq(people.email, "imp.bad@test.example"))).toEqual([]);
    // New people have their training assigned at once.
    expect((await db.select().from(assignments).where(eq(assignments.personId, new1.id))).length).toBeGreaterThan(0);

    // One invitation each: a 7-day single-use token stored hashed, and the email with the link.
    const tokens = await db.select().from(passwordTokens).where(eq(passwordTokens.personId, new1.id));
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({
      purpose: "invitation",
      usedAt: null,
      expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
    });
    // Exactly one message per new person: the welcome, stored as a payload and rendered when sent.
    const emails = await db
      .select()
      .from(outbox)
      .where(sql`${outbox.personId} in (${new1.id}, ${new2.id})`);
    expect(emails.map((e) => [e.kind, e.toEmail]).sort()).toEqual([
      ["welcome", "imp.new1@test.example"],
      ["welcome", "imp.new2@test.example"],
    ]);
    const welcome = emails.find((e) => e.toEmail === "imp.new1@test.example")!;
    expect(welcome.html).toBeNull();
    const rendered = await renderPayload({ ...welcome, payloadEnc: welcome.payloadEnc! }, NOW);
    expect(rendered.text).toContain("Hello Nuñez, José");
    const due = await db.select().from(assignments).where(eq(assignments.personId, new1.id));
    for (const a of due) expect(rendered.text).toContain(getCourse(a.courseId)!.title);
    // The due dates come as a calendar file: one event per course, on its due date.
    expect(rendered.attachments?.map((a) => a.filename)).toEqual(["due-dates.ics"]);
    const ics = new TextDecoder().decode(rendered.attachments![0].content);
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(due.length);
    for (const a of due)
      expect(ics).toContain(`DTSTART;VALUE=DATE:${a.dueAt.toISOString().slice(0, 10).replaceAll("-", "")}`);
    // And the message sent over SMTP carries it.
    const sent: string[] = [];
    const transport = nodemailer.createTransport<{ messageId: string }>({
      name: "capture",
      version: "1",
      send(mail, callback) {
        const chunks: Buffer[] = [];
        const stream = mail.message.createReadStream();
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          sent.push(Buffer.concat(chunks).toString("utf8"));
          callback(null, { messageId: String(mail.data.messageId) });
        });
      },
    });
    const channel = await emailChannel({ transport }).open([], db);
    expect(await channel.send({ ...welcome, attempts: 0 })).toEqual({ ok: true });
    expect(sent[0]).toMatch(/Content-Type: text\/calendar; charset=utf-8; name=due-dates\.ics/);
    expect(welcome.covers).toEqual(expect.arrayContaining(due.map((a) => `course-assigned:${a.id}`)));
    const token = invitationLink(rendered.text)!;
    expect(tokens[0].tokenHash).not.toContain(token);
    expect(tokens[0].tokenHash).toMatch(/^[0-9a-f]{64}$/);

    const events = await db
      .select({ action: auditEvents.action, targetId: auditEvents.targetId, data: auditEvents.data })
      .from(auditEvents)
      .where(sql`${auditEvents.action} like 'person%' or ${auditEvents.action} = 'people.imported'`);
    expect(
      events
        .filter((e) => e.action === "person.created")
        .map((e) => e.targetId)
        .sort(),
    ).toEqual([new1.id, new2.id].sort());
    expect(events.find((e) => e.action === "person.updated")).toMatchObject({
      targetId: existing.id,
      data: { changes: { title: { from: "Support Engineer", to: "Senior Support Engineer" } }, source: "import" },
    });
    expect(events.filter((e) => e.action === "people.imported")).toEqual([
      {
        action: "people.imported",
        targetId: null,
        data: expect.objectContaining({
          rows: 5,
          create: 2,
          update: 1,
          unchanged: 1,
          invalid: 1,
          created: 2,
          updated: 1,
        }),
      },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/password|token/i);

    // The same file again: nothing to do, and nothing done.
    const again = await previewImport(admin, csv);
    expect(again.ok && again.summary).toEqual({ rows: 5, create: 0, update: 0, unchanged: 4, invalid: 1 });
    const beforeSecond = await counts();
    expect(await applyImport(admin, context(admin.id), csv, NOW)).toMatchObject({ created: 0, updated: 0 });
    const afterSecond = await counts();
    expect({ ...afterSecond, audit: 0 }).toEqual({ ...beforeSecond, audit: 0 });
    expect(Number(afterSecond.audit)).toBe(Number(beforeSecond.audit) + 1); // only the people.imported record
  });

  it("applies nothing when the file is unreadable, and only compliance admins may import", async () => {
    const db = database.db();
    const { admin } = await setUp("ro");
    await expect(applyImport(admin, context(admin.id), 'email,name\n"unclosed,x')).rejects.toThrow(DomainError);
    const auditor = viewerOf(await createPerson(db, { roles: ["auditor"] }));
    await expect(previewImport(auditor, "email,name\nx@y.example,X")).rejects.toThrow(ForbiddenError);
    await expect(applyImport(auditor, context(auditor.id), "email,name\nx@y.example,X")).rejects.toThrow(
      ForbiddenError,
    );
    expect(await db.select().from(people).where(eq(people.email, "x@y.example"))).toEqual([]);
  });
});

describe("adding and editing a person", () => {
  const form = (values: Record<string, unknown>) =>
    personFormSchema.parse({ roles: [], departmentId: "", title: "", managerEmail: "", hireDate: "", ...values });

  it("validates the form with messages per field", () => {
    const result = personFormSchema.safeParse({
      name: " ",
      email: "nope",
      managerEmail: "also-nope",
      hireDate: "2026-02-30",
      roles: ["boss"],
    });
    expect(result.success).toBe(false);
    const fields = Object.keys(z.flattenError(result.error!).fieldErrors).sort();
    expect(fields).toEqual(["email", "hireDate", "managerEmail", "name", "roles"]);
    expect(form({ name: "Ana", email: " Ana@Example.COM " })).toMatchObject({
      email: "ana@example.com",
      departmentId: null,
      title: null,
      managerEmail: null,
      hireDate: null,
      roles: [],
    });
  });

  it("creates a person with an invitation, audits the change of each field, and refuses bad references", async () => {
    const db = database.db();
    const { admin, boss } = await setUp("ed");
    const { id } = await createPersonAsAdmin(
      admin,
      context(admin.id),
      form({
        name: "Noor Haddad",
        email: "ed.noor@test.example",
        departmentId: "engineering",
        managerEmail: boss.email,
        hireDate: "2026-12-07",
        roles: ["manager"],
      }),
      NOW,
    );
    expect(await reload(db, id)).toMatchObject({
      name: "Noor Haddad",
      departmentId: "engineering",
      managerId: boss.id,
      hireDate: "2026-12-07",
      roles: ["employee", "manager"],
      passwordHash: null,
    });
    const [created] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(sql`${auditEvents.action} = 'person.created' and ${auditEvents.targetId} = ${id}`);
    expect(created.data).toMatchObject({ email: "ed.noor@test.example", managerEmail: boss.email, source: "form" });

    const fieldErrors = async (work: Promise<unknown>) => {
      const error = await work.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PersonFieldError);
      return (error as PersonFieldError).fieldErrors;
    };
    expect(
      await fieldErrors(
        createPersonAsAdmin(admin, context(admin.id), form({ name: "Again", email: "ed.noor@test.example" })),
      ),
    ).toEqual({ email: ["Someone else already has this email address."] });
    expect(
      Object.keys(
        await fieldErrors(
          createPersonAsAdmin(
            admin,
            context(admin.id),
            form({
              name: "X",
              email: "ed.x@test.example",
              managerEmail: "nobody@test.example",
              departmentId: "nowhere",
            }),
          ),
        ),
      ),
    ).toEqual(["departmentId", "managerEmail"]);
    // Bea cannot report to Noor, who reports to Bea.
    expect(
      (
        await fieldErrors(
          updatePerson(
            admin,
            context(admin.id),
            boss.id,
            form({
              name: "Bea Boss",
              email: boss.email,
              departmentId: "support",
              managerEmail: "ed.noor@test.example",
            }),
          ),
        )
      ).managerEmail[0],
    ).toContain("reports to this person");
    expect(
      await fieldErrors(
        updatePerson(
          admin,
          context(admin.id),
          admin.id,
          form({ name: admin.name, email: admin.email, departmentId: "support" }),
        ),
      ),
    ).toEqual({ roles: ["You cannot remove your own compliance admin role."] });

    const { changed } = await updatePerson(
      admin,
      context(admin.id),
      id,
      form({
        name: "Noor Haddad",
        email: "ed.noor@test.example",
        departmentId: "support",
        title: "Lead",
        managerEmail: boss.email,
        hireDate: "2026-12-07",
        roles: ["manager"],
      }),
      NOW,
    );
    expect(changed.sort()).toEqual(["department", "title"]);
    const [updated] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(sql`${auditEvents.action} = 'person.updated' and ${auditEvents.targetId} = ${id}`);
    expect(updated.data).toEqual({
      changes: { department: { from: "engineering", to: "support" }, title: { from: null, to: "Lead" } },
    });
    const unchanged = await updatePerson(
      admin,
      context(admin.id),
      id,
      form({
        name: "Noor Haddad",
        email: "ed.noor@test.example",
        departmentId: "support",
        title: "Lead",
        managerEmail: boss.email,
        hireDate: "2026-12-07",
        roles: ["manager"],
      }),
      NOW,
    );
    expect(unchanged.changed).toEqual([]);

    const auditor = viewerOf(await createPerson(db, { roles: ["auditor"] }));
    await expect(
      createPersonAsAdmin(auditor, context(auditor.id), form({ name: "Y", email: "ed.y@test.example" })),
    ).rejects.toThrow(ForbiddenError);
  });
});

describe("set-password links", () => {
  it("sets the password once, then the link is used; expired and resent links stop working", async () => {
    const db = database.db();
    const { admin } = await setUp("sp");
    const latestLink = async (email: string) => {
      const rows = await db
        .select({ text: outbox.text, createdAt: outbox.createdAt })
        .from(outbox)
        .where(eq(outbox.toEmail, email));
      return invitationLink(rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0].text!)!;
    };
    const now = new Date();
    const { id } = await createPersonAsAdmin(
      admin,
      context(admin.id),
      form({ name: "Sam Lee", email: "sp.sam@test.example" }),
      now,
    );
    const token = await latestLink("sp.sam@test.example");
    expect(await passwordLinkView(token)).toMatchObject({
      state: "ready",
      name: "Sam Lee",
      email: "sp.sam@test.example",
    });
    expect(await passwordLinkView("not-a-real-token-at-all-xxxxxxxx")).toEqual({ state: "unknown" });

    await expect(setPasswordWithToken(token, "short", context())).rejects.toThrow("at least 15 characters");
    await expect(setPasswordWithToken(token, "sp.sam@test.example", context())).rejects.toThrow("email address");
    await setPasswordWithToken(token, "correct horse battery", context());
    const person = await reload(db, id);
    expect(await verifyPassword("correct horse battery", person.passwordHash)).toBe(true);
    expect(await passwordLinkView(token)).toEqual({ state: "used", purpose: "invitation" });
    await expect(setPasswordWithToken(token, "another long password", context())).rejects.toThrow(DomainError);
    const [event] = await db
      .select({ actorId: auditEvents.actorId, data: auditEvents.data })
      .from(auditEvents)
      .where(sql`${auditEvents.action} = 'person.password_set' and ${auditEvents.targetId} = ${id}`);
    expect(event).toEqual({ actorId: id, data: { via: "invitation" } });
    await expect(resendInvitation(admin, context(admin.id), id)).rejects.toThrow("already set a password");

    // Invited 8 days ago: expired. A new invitation works and the old link stays dead.
    const old = new Date(Date.now() - 8 * 86_400_000);
    const late = await createPersonAsAdmin(
      admin,
      context(admin.id),
      form({ name: "Late Comer", email: "sp.late@test.example" }),
      old,
    );
    const expired = await latestLink("sp.late@test.example");
    expect(await passwordLinkView(expired)).toEqual({ state: "expired", purpose: "invitation" });
    await resendInvitation(admin, context(admin.id), late.id);
    const fresh = await latestLink("sp.late@test.example");
    expect(fresh).not.toBe(expired);
    expect((await passwordLinkView(fresh)).state).toBe("ready");

    // Correcting the email address moves the invitation to the new address.
    await updatePerson(admin, context(admin.id), late.id, form({ name: "Late Comer", email: "sp.late2@test.example" }));
    expect(await passwordLinkView(fresh)).toEqual({ state: "expired", purpose: "invitation" });
    const moved = await latestLink("sp.late2@test.example");
    expect(await passwordLinkView(moved)).toMatchObject({ state: "ready", email: "sp.late2@test.example" });

    // A departed person's link does nothing.
    await db.update(people).set({ status: "departed" }).where(eq(people.id, late.id));
    expect(await passwordLinkView(moved)).toEqual({ state: "unknown" });
  });

  const form = (values: Record<string, unknown>) =>
    personFormSchema.parse({ roles: [], departmentId: "", title: "", managerEmail: "", hireDate: "", ...values });
});
