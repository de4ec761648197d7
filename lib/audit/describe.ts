import "server-only";

import { inArray } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { people } from "@/db/schema";
import { getAgreementTemplate, getContent, getCourse } from "@/lib/content";
import { formatDate } from "@/lib/format";
import { isUuid } from "@/lib/ids";

import type { AuditEventView } from "./list-events";

/**
 * An audit event in a sentence ("Priya Nair approved Ana Silva's request for
 * Customer PII read, ending 31 Mar 2027"), with the people it names, so an
 * auditor reads what happened without decoding JSON. Names are today's names
 * of the people the stored ids point at; the stored event is unchanged.
 */

export type NamedPerson = { id: string; name: string };
export type EventWords = { sentence: string; actor: NamedPerson | null; person: NamedPerson | null };

type Data = Record<string, unknown>;
type Words = {
  actor: string;
  /** The person the event concerns, when it names one. */
  person: string | null;
  role: string | null;
  course: string | null;
  agreement: string | null;
  data: Data;
};

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);
const day = (v: unknown): string | null => {
  const text = str(v);
  const at = text ? new Date(text) : null;
  return at && !Number.isNaN(at.getTime()) ? formatDate(at) : null;
};
const possessive = (name: string) => (name.endsWith("s") ? `${name}'` : `${name}'s`);

/** Sentences for the events auditors sample most; others read "<actor>: <label>" with the person concerned. */
const SENTENCES: Record<string, (w: Words) => string | null | false> = {
  "access.requested": (w) => w.role && `${w.actor} asked for ${w.role}`,
  "access.granted": (w) =>
    w.role &&
    w.person &&
    `${w.actor} approved ${possessive(w.person)} request for ${w.role}${day(w.data.endsAt) ? `, ending ${day(w.data.endsAt)}` : ""}`,
  "access.denied": (w) => w.role && w.person && `${w.actor} turned down ${possessive(w.person)} request for ${w.role}`,
  "access.revoked": (w) => w.role && w.person && `${w.actor} revoked ${possessive(w.person)} ${w.role} access`,
  "access.lapsed": (w) =>
    w.role &&
    w.person &&
    `${possessive(w.person)} ${w.role} access stopped being in effect: a requirement is no longer met`,
  "access.restored": (w) => w.role && w.person && `${possessive(w.person)} ${w.role} access is in effect again`,
  "agreement.signed": (w) =>
    w.agreement && `${w.actor} signed ${w.agreement}${str(w.data.version) ? ` version ${w.data.version}` : ""}`,
  "agreement.declined": (w) => w.agreement && `${w.actor} declined to sign ${w.agreement}`,
  "agreement.consent_given": (w) => w.agreement && `${w.actor} consented to sign ${w.agreement} electronically`,
  "agreement.reauth_failed": (w) =>
    w.agreement && `${w.actor} could not confirm their identity before signing ${w.agreement}`,
  "attempt.submitted": (w) =>
    w.course &&
    `${w.actor} submitted a quiz in ${w.course}${typeof w.data.passed === "boolean" ? (w.data.passed ? " and passed" : " and did not pass") : ""}`,
  "certification.issued": (w) =>
    w.course &&
    `${w.actor} was certified in ${w.course}${day(w.data.expiresAt) ? `, valid until ${day(w.data.expiresAt)}` : ""}`,
  "certification.annulled": (w) =>
    w.course && w.person && `${w.actor} annulled ${possessive(w.person)} certification in ${w.course}`,
  "person.created": (w) => w.person && `${w.actor} added ${w.person}`,
  "person.updated": (w) => w.person && `${w.actor} updated ${possessive(w.person)} record`,
  "person.status_changed": (w) =>
    w.person && str(w.data.to) && `${w.actor} changed ${possessive(w.person)} status to ${String(w.data.to)}`,
  "person.roles_changed": (w) =>
    w.person &&
    Array.isArray(w.data.to) &&
    `${w.actor} changed ${possessive(w.person)} roles to ${w.data.to.length ? w.data.to.join(", ") : "employee only"}`,
  "auth.signed_in": (w) => `${w.actor} signed in`,
  "auth.signed_out": (w) => `${w.actor} signed out`,
  "auth.sign_in_failed": (w) => `A sign-in as ${w.person ?? w.actor} failed`,
  "auth.locked": (w) => `Sign-in for ${w.person ?? w.actor} paused after too many failed tries`,
};

function idsOf(event: AuditEventView): string[] {
  const data = (event.data ?? {}) as Data;
  return [
    event.actorId,
    event.targetType === "person" ? event.targetId : null,
    typeof data.personId === "string" ? data.personId : null,
  ].filter((id): id is string => Boolean(id && isUuid(id)));
}

/** Sentences for a page of events, reading every named person in one query. */
export async function describeAuditEvents(db: Executor, events: AuditEventView[]): Promise<Map<number, EventWords>> {
  const ids = [...new Set(events.flatMap(idsOf))];
  const names = new Map<string, string>();
  if (ids.length > 0) {
    const rows = await db.select({ id: people.id, name: people.name }).from(people).where(inArray(people.id, ids));
    for (const r of rows) names.set(r.id, r.name);
  }
  const roles = new Map<string, string>(getContent().accessRoles.map((r) => [r.id, r.name]));
  const out = new Map<number, EventWords>();
  for (const event of events) {
    const data = (event.data ?? {}) as Data;
    const named = (id: string | null | undefined): NamedPerson | null =>
      id && names.has(id) ? { id, name: names.get(id)! } : null;
    const actor = named(event.actorId);
    const person = named(event.targetType === "person" ? event.targetId : null) ?? named(str(data.personId)) ?? null;
    const roleId = str(data.roleId);
    const courseId = str(data.courseId);
    const agreementId = str(data.agreementId);
    const words: Words = {
      actor: actor?.name ?? event.actorLabel,
      person: person?.name ?? null,
      role: roleId ? (roles.get(roleId) ?? roleId) : null,
      course: courseId ? (getCourse(courseId)?.title ?? courseId) : null,
      agreement: agreementId ? (getAgreementTemplate(agreementId)?.title ?? agreementId) : null,
      data,
    };
    const sentence =
      SENTENCES[event.action]?.(words) ||
      `${words.actor}: ${event.label}${person && person.id !== actor?.id ? ` (${person.name})` : ""}`;
    out.set(event.id, { sentence, actor, person });
  }
  return out;
}
