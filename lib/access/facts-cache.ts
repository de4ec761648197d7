import "server-only";

import { isDatabase, type Executor } from "@/db/client";
import { contentRevision } from "@/lib/content";
import type { AccessRole } from "@/lib/content/load";
import { env } from "@/lib/env";

import {
  decideAccess,
  decisionSteadyBetween,
  type Decision,
  type GrantFacts,
  type SignatureFacts,
} from "./decide.rules";
import { accessRole, decisionFor, type Facts, type FactsWanted, type KnownFacts, type PersonFacts } from "./facts";

/**
 * What decides one role for one person: the role's grants and the rows of the
 * courses and agreements it requires, their moments kept as milliseconds (a
 * Date costs several times a number, and the facts are read as Dates only to
 * decide anew: see decideHeld); and the last decision made from them, with
 * the span of time it holds for and the person's status it was made with.
 */
export type RoleFacts = {
  grants: { status: GrantFacts["status"]; decidedAt: number | null; endsAt: number | null; revokedAt: number | null }[];
  certifications: { courseId: string; courseVersion: string; issuedAt: number; expiresAt: number }[];
  signatures: {
    agreementId: string;
    agreementVersion: string;
    signedAt: number;
    renewalDueAt: number | null;
    outcome: SignatureFacts["outcome"];
  }[];
  decided?: { status: string; from: number; until: number; decision: Decision };
};

type Loaded = {
  resolved: Map<string, string>;
  revision: number;
  facts: { persons: Map<string, PersonFacts> };
};

/** The pairs a read may leave out, with the facts to decide them with once it confirms the revision. */
export type CacheLookup = {
  known: KnownFacts;
  held: { personId: string; roleId: string; facts: RoleFacts }[];
  /** The content this process served at the lookup: facts read under other content are not kept. */
  content: string;
};

/**
 * Each (person, role)'s deciding facts as last read, kept while the
 * organisation's access revision stays where it was when they were read.
 *
 * Every committed change that can alter a decision advances the revision in
 * the same transaction (db/migrations/0014_access_revision), so two reads at
 * one revision read the same facts. A read names the pairs held here and the
 * revision they were read at; the statement itself compares that revision
 * with the database's, in its own snapshot, and reads the held pairs again if
 * it moved (see loadFactsFor). Only if it had not are the held facts used, so
 * an answer never mixes facts of two revisions, on one instance or many.
 *
 * Facts are kept whole (every grant, certification and signature that bears
 * on the role, not only those counting at one moment) and decided at each
 * check's time (a pair's last decision is reused only while no fact of it has
 * started or stopped counting since: decideHeld), so answers change with the
 * clock (an expiry, the end of a grace period, a grant's end) exactly as if
 * they were read again. A person's status and e-mail address are read every
 * time. Only reads through the database as opened are kept (never a
 * transaction's, which may not commit, and whose revision moves only at
 * commit), and a change of the content this process serves empties it.
 */
export class FactsCache {
  private revision = -1;
  private content = "";
  private readonly entries = new Map<string, RoleFacts>();
  /** The person each reference (an e-mail or an id) named when last read: a hint, checked by every read. */
  private readonly people = new Map<string, string>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The pairs of `wanted` held here, to leave out of the read. */
  lookup(wanted: FactsWanted[]): CacheLookup {
    this.checkContent();
    const held: CacheLookup["held"] = [];
    const seen = new Set<string>();
    for (const { user, role } of wanted) {
      if (!role) continue;
      const personId = this.people.get(user.toLowerCase());
      if (!personId) continue;
      const key = `${personId} ${role}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const facts = this.entries.get(key);
      if (!facts) continue;
      // Most recently used last: the first entries are the first to go.
      this.entries.delete(key);
      this.entries.set(key, facts);
      held.push({ personId, roleId: role, facts });
    }
    return {
      known: {
        revision: this.revision,
        personIds: held.map((h) => h.personId),
        roleIds: held.map((h) => h.roleId),
      },
      held,
      content: this.content,
    };
  }

  /**
   * Completes a read made with `lookup`'s pairs left out: if the database was
   * still at their revision, their facts are the pairs' to decide with (see
   * decideHeld); then what the read itself found is kept for next time.
   * Returns the facts of every pair held or newly kept, by "person role";
   * a pair missing from it is decided from the read's facts.
   */
  complete(wanted: FactsWanted[], lookup: CacheLookup, loaded: Loaded): Map<string, RoleFacts> {
    const entries = new Map<string, RoleFacts>();
    if (loaded.revision === lookup.known.revision) {
      for (const { personId, roleId, facts } of lookup.held)
        if (loaded.facts.persons.has(personId)) entries.set(`${personId} ${roleId}`, facts);
    }
    this.keep(wanted, lookup, loaded, entries);
    return entries;
  }

  private keep(wanted: FactsWanted[], lookup: CacheLookup, loaded: Loaded, entries: Map<string, RoleFacts>): void {
    if (loaded.revision < this.revision) return; // read before a newer read already moved the cache on
    if (lookup.content !== contentRevision()) return;
    if (loaded.revision > this.revision) {
      this.entries.clear();
      this.revision = loaded.revision;
    }
    const wasHeld = new Set(lookup.held.map((h) => `${h.personId} ${h.roleId}`));
    for (const { user, role } of wanted) {
      const personId = loaded.resolved.get(user.toLowerCase());
      if (!personId) continue;
      this.remember(user.toLowerCase(), personId);
      const person = loaded.facts.persons.get(personId);
      const accessRole_ = role ? accessRole(role) : null;
      if (!person || !accessRole_) continue;
      const key = `${personId} ${accessRole_.id}`;
      if (wasHeld.has(key) && loaded.revision === lookup.known.revision) continue;
      const facts = slim(person, accessRole_);
      this.entries.delete(key);
      this.entries.set(key, facts);
      entries.set(key, facts);
    }
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  private remember(ref: string, personId: string): void {
    this.people.delete(ref);
    this.people.set(ref, personId);
    while (this.people.size > this.capacity) this.people.delete(this.people.keys().next().value!);
  }

  private checkContent(): void {
    const content = contentRevision();
    if (content === this.content) return;
    this.content = content;
    this.entries.clear();
  }
}

/** Versions ("2.1") as one string each, however many rows carry them. */
const versions = new Map<string, string>();
const version = (v: string) => versions.get(v) ?? (versions.set(v, v), v);
const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);
const date = (t: number | null) => (t === null ? null : new Date(t));

/**
 * A person's facts for one role, as kept: only what the decision reads,
 * moments as milliseconds, ids and versions as shared strings, in arrays of
 * their exact length (measured: about 1.6 KB a pair with the benchmark's
 * history, where Dates made it 3.5 KB).
 */
function slim(person: PersonFacts, role: AccessRole): RoleFacts {
  const courseOf = (id: string) => role.courses.find((c) => c === id);
  const agreementOf = (id: string) => role.agreements.find((a) => a === id);
  return {
    grants: person.grants
      .filter((g) => g.roleId === role.id)
      .map((g) => ({ status: g.status, decidedAt: ms(g.decidedAt), endsAt: ms(g.endsAt), revokedAt: ms(g.revokedAt) })),
    certifications: person.certifications
      .filter((c) => courseOf(c.courseId))
      .map((c) => ({
        courseId: courseOf(c.courseId)!,
        courseVersion: version(c.courseVersion),
        issuedAt: c.issuedAt.getTime(),
        expiresAt: c.expiresAt.getTime(),
      })),
    signatures: person.signatures
      .filter((x) => agreementOf(x.agreementId))
      .map((x) => ({
        agreementId: agreementOf(x.agreementId)!,
        agreementVersion: version(x.agreementVersion),
        signedAt: x.signedAt.getTime(),
        renewalDueAt: ms(x.renewalDueAt),
        outcome: x.outcome,
      })),
  };
}

/**
 * The decision for a pair held in the cache, at `now`: the last one made from
 * these facts if `now` is in the span it holds for and the person's status is
 * unchanged (decisionSteadyBetween), else made anew and kept. The facts of an
 * entry never change (a new revision empties the cache), nor do the courses'
 * releases and versions they are decided with (they change the revision or
 * the content, which empties it too).
 */
export function decideHeld(held: RoleFacts, facts: Facts, personId: string, role: AccessRole, now: Date): Decision {
  const person = facts.persons.get(personId);
  if (!person) return decisionFor(facts, personId, role, now);
  const t = now.getTime();
  const status = person.person.status;
  const last = held.decided;
  if (last && last.status === status && t >= last.from && t < last.until) return last.decision;
  const input = {
    person: person.person,
    role,
    grants: held.grants.map((g) => ({
      status: g.status,
      decidedAt: date(g.decidedAt),
      endsAt: date(g.endsAt),
      revokedAt: date(g.revokedAt),
    })),
    certifications: held.certifications.map((c) => ({
      ...c,
      issuedAt: new Date(c.issuedAt),
      expiresAt: new Date(c.expiresAt),
    })),
    signatures: held.signatures.map((x) => ({
      ...x,
      signedAt: new Date(x.signedAt),
      renewalDueAt: date(x.renewalDueAt),
    })),
    courses: facts.courses,
    agreements: facts.agreements,
    now,
  };
  const decision = decideAccess(input);
  held.decided = { status, ...decisionSteadyBetween(input), decision };
  return decision;
}

// One cache per database per process, whichever bundle of the server asks (see the registry in db/client.ts).
const caches = ((
  globalThis as unknown as { __clearanceFactsCaches?: WeakMap<object, FactsCache> }
).__clearanceFactsCaches ??= new WeakMap<object, FactsCache>());

/** The cache for reads through `db`, or null: none for a transaction, or when ACCESS_FACTS_CACHE_ENTRIES is 0. */
export function factsCacheFor(db: Executor): FactsCache | null {
  if (!isDatabase(db)) return null;
  const capacity = env().ACCESS_FACTS_CACHE_ENTRIES;
  if (capacity <= 0) return null;
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new FactsCache(capacity)));
  return cache;
}
