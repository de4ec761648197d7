import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { appLink } from "@/emails/components/format";
import { sampleProps } from "@/emails/samples";
import { resetEnvForTests } from "@/lib/env";
import { isRoutineKind, ROUTINE_KINDS } from "@/lib/notify/cadence.rules";
import { emailKinds, emailTemplates, renderEmail, type EmailKind, type EmailProps } from "@/lib/notify/templates";

const APP_URL = "https://clearance.example.com";
const ORG = "Northwind Health";
const saved = { APP_URL: process.env.APP_URL, ORG_NAME: process.env.ORG_NAME };

beforeAll(() => {
  process.env.APP_URL = APP_URL;
  process.env.ORG_NAME = ORG;
  resetEnvForTests();
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvForTests();
});

/** The facts each email must state in its plain-text version (sample props in emails/samples.ts). */
const keyFacts: Record<EmailKind, string[]> = {
  invitation: ["Ana Silva", `${APP_URL}/set-password?token=sample-token-not-real`, "6 December 2026, 09:00 UTC"],
  welcome: [
    "Ana Silva",
    `${APP_URL}/set-password/sample-token-not-real`,
    "6 December 2026, 09:00 UTC",
    "GDPR Essentials for Support",
    "27 December 2026",
    "Employee Confidentiality Agreement",
  ],
  "password-reset": [
    "Ana Silva",
    `${APP_URL}/set-password/sample-token-not-real`,
    "29 November 2026, 10:30 UTC",
    "signed out",
  ],
  "course-assigned": [
    "GDPR Essentials for Support",
    "27 December 2026",
    `${APP_URL}/learn/gdpr-essentials`,
    "35 minutes",
  ],
  "course-due-soon": ["GDPR Essentials for Support", "6 December 2026", "7 days", `${APP_URL}/learn/gdpr-essentials`],
  "course-overdue": [
    "Handling Customer Data Securely",
    "22 November 2026",
    "7 days ago",
    "Customer PII reader",
    `${APP_URL}/learn/secure-data-handling`,
  ],
  escalation: [
    "Priya Nair",
    "Ana Silva",
    "Handling Customer Data Securely",
    "15 November 2026",
    "14 days",
    `${APP_URL}/team`,
  ],
  "certification-annulled": [
    "PCI DSS Awareness",
    "2 October 2026",
    "6 December 2026",
    "Quiz answers were shared",
    `${APP_URL}/courses/pci-dss-awareness`,
  ],
  "certification-expiring": ["PCI DSS Awareness", "29 December 2026", "30 days", `${APP_URL}/learn/pci-dss-awareness`],
  "agreement-to-sign": [
    "Employee Confidentiality Agreement",
    "2.0",
    "13 December 2026",
    `${APP_URL}/agreements/employee-confidentiality`,
  ],
  "partner-signing-link": [
    "Jordan Okafor",
    "Northwind Outsourcing Ltd",
    "Data Processing Agreement",
    "13 December 2026, 17:00 UTC",
    "Carmen Díaz",
    `${APP_URL}/partner-sign/sample-token-not-real`,
  ],
  "partner-signing-code": ["Jordan Okafor", "483920", "29 November 2026, 14:15 UTC", "Data Processing Agreement"],
  "signed-copy": [
    "Employee Confidentiality Agreement (version 2.0)",
    "29 November 2026, 10:42 UTC",
    "employee-confidentiality-v2.0-li-hua.pdf",
    "9f2c1e7b5a0d4c3e8b6a1f0e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4",
  ],
  "access-request": [
    "Priya Nair",
    "Ana Silva",
    "Customer PII reader",
    "EMEA escalations rota",
    "29 November 2026, 09:15 UTC",
    `${APP_URL}/access/requests/7d0c2a41`,
  ],
  "access-decision": [
    "Customer PII reader",
    "Approved",
    "Priya Nair",
    "Please re-request if you move teams.",
    "14 May 2027",
    `${APP_URL}/access/requests/7d0c2a41`,
  ],
  "access-lapsed": [
    "Customer PII reader",
    "29 November 2026",
    "certification expired on 28 November 2026",
    `${APP_URL}/access`,
  ],
  "reminder-digest": [
    "weekly",
    "Spotting and reporting security incidents",
    "due 4 December 2026",
    "Acceptable Use and Data-Handling Attestation",
    `${APP_URL}/courses/incident-reporting`,
  ],
  nudge: [
    "Priya Nair",
    "end-of-year audit",
    "Handling Customer Data Securely",
    "overdue since 22 November 2026",
    "Employee Confidentiality Agreement",
    "due 13 December 2026",
    `${APP_URL}/learn/secure-data-handling`,
  ],
};

const render = <K extends EmailKind>(kind: K, props: EmailProps<K>) => renderEmail(kind, props);
const renderSample = (kind: EmailKind) => renderEmail(kind, sampleProps[kind] as EmailProps<EmailKind>);
const oneLine = (s: string) => s.replace(/\s+/g, " ");
const attributeUrls = (html: string, attribute: string) =>
  [...html.matchAll(new RegExp(`\\s${attribute}="([^"]*)"`, "g"))].map((m) => m[1]);

describe("email templates", () => {
  it("has sample data and key facts for every kind", () => {
    expect(Object.keys(sampleProps).sort()).toEqual([...emailKinds].sort());
    expect(Object.keys(keyFacts).sort()).toEqual([...emailKinds].sort());
  });

  it.each(emailKinds)("%s renders HTML and a plain-text version stating the key facts", async (kind) => {
    const { subject, html, text } = await renderSample(kind);
    expect(subject.length).toBeGreaterThan(5);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(html).toMatch(/^<!DOCTYPE html/);
    expect(html).toContain('lang="en"');
    const plain = oneLine(text);
    for (const fact of keyFacts[kind]) expect(plain).toContain(fact);
    expect(plain).toContain("Clearance");
    expect(plain).toContain(ORG);
    expect(plain).toMatch(/You received this (email|reminder) because/);
    expect(text).not.toMatch(/<[a-z!/]/i);
  });

  it.each(emailKinds)("%s loads nothing remote and links only to APP_URL", async (kind) => {
    const { html } = await renderSample(kind);
    for (const href of attributeUrls(html, "href")) expect(href.startsWith(`${APP_URL}/`)).toBe(true);
    expect(attributeUrls(html, "src")).toEqual([]);
    expect(html).not.toMatch(/<link\b|@import|url\(|<img\b|<script\b/i);
  });

  it("escapes text people wrote and keeps the subject on one line", async () => {
    const { subject, html, text } = await render("access-request", {
      ...sampleProps["access-request"],
      requesterName: "Eve\r\nBcc: victim@example.com",
      justification: '<script>alert(1)</script><img src="https://tracker.example/p.gif">',
    });
    expect(subject).toBe("Access request: Eve Bcc: victim@example.com asks for Customer PII reader");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain('<img src="https://tracker.example');
    expect(attributeUrls(html, "src")).toEqual([]);
    expect(text).toContain("<script>alert(1)</script>");
  });

  it("words a denial differently from an approval", async () => {
    const { subject, text } = await render("access-decision", {
      ...sampleProps["access-decision"],
      decision: "denied",
      comment: "Your team does not handle billing data.",
      validUntil: null,
    });
    expect(subject).toBe("Access denied: Customer PII reader");
    expect(oneLine(text)).toContain("was not approved");
    expect(oneLine(text)).toContain("Your team does not handle billing data.");
    expect(text).not.toContain("Valid until");
  });

  it("keeps the one-time code out of the subject line", async () => {
    const { subject } = await render("partner-signing-code", sampleProps["partner-signing-code"]);
    expect(subject).not.toContain(sampleProps["partner-signing-code"].code);
  });

  it("refuses links that are not app paths", () => {
    expect(appLink("/x?y=1")).toBe(`${APP_URL}/x?y=1`);
    expect(() => appLink("https://evil.example/x")).toThrow();
    expect(() => appLink("//evil.example/x")).toThrow();
    expect(() => appLink("javascript:alert(1)")).toThrow();
  });

  it("marks the templates that carry a credential", () => {
    const secret = emailKinds.filter((k) => emailTemplates[k].carriesSecret).sort();
    expect(secret).toEqual(["invitation", "partner-signing-code", "partner-signing-link", "password-reset", "welcome"]);
  });

  it("never lets a digest hold back a security message", () => {
    for (const kind of ROUTINE_KINDS) expect(emailKinds).toContain(kind);
    const security = [
      ...emailKinds.filter((k) => emailTemplates[k].carriesSecret),
      "access-request",
      "access-decision",
      "access-lapsed",
      "signed-copy",
      "nudge",
    ];
    for (const kind of security) expect(isRoutineKind(kind)).toBe(false);
  });

  it("words notifications raised together as one message, and a digest by its cadence", async () => {
    const items = (sampleProps["reminder-digest"] as EmailProps<"reminder-digest">).items;
    const together = await render("reminder-digest", { name: "Ana Silva", period: "each", items });
    expect(together.subject).toBe("2 items to complete in Clearance");
    expect(oneLine(together.text)).toContain("they are gathered into one message");
    const daily = await render("reminder-digest", { name: "Ana Silva", period: "daily", items: items.slice(0, 1) });
    expect(daily.subject).toBe("Your daily Clearance digest: 1 item");
    expect(daily.text).toContain("This needs your attention:");
  });

  it("lists every item of a nudge in one message", async () => {
    const items = Array.from({ length: 5 }, (_, i) => ({
      title: `Course ${i + 1}`,
      kind: "course" as const,
      status: "overdue" as const,
      date: new Date("2026-11-22T23:59:00Z"),
      path: `/courses/c${i + 1}`,
    }));
    const { subject, text } = await render("nudge", { name: "Ana Silva", managerName: "Priya Nair", items });
    expect(subject).toBe("Reminder from Priya Nair: 5 items to complete");
    for (const item of items) expect(text).toContain(`${APP_URL}${item.path}`);
  });
});
