import "server-only";

import { sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { selectRows } from "@/db/rows";

import { BackupError } from "./codec";

type Definition = { table: string; name: string; definition: string };

/**
 * What a restore sets aside while it loads rows, and puts back once they are
 * in, as pg_restore does: foreign keys, primary keys and unique constraints,
 * the other indexes, and the triggers of the tables restored. Loaded row by
 * row into indexed tables, a large organisation's restore spent most of its
 * time keeping random-keyed B-trees in order, and queued a deferred trigger
 * event for every certification, signature and grant (the access revision's,
 * db/migrations/0014) to run at commit. Built once from the loaded rows, each
 * index is one sort and each reference one join. Every statement runs in the
 * restore's transaction, so a failure leaves the schema as it was; rows that
 * break a key or a reference fail the restore when the constraint is put back.
 */
export type SetAside = { foreignKeys: Definition[]; keys: Definition[]; indexes: Definition[]; triggers: Definition[] };

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function setAsideConstraints(tx: Executor, tables: string[]): Promise<SetAside> {
  const names = sql.param(tables);
  const constraints = await selectRows<Definition & { type: "f" | "p" | "u" }>(
    tx,
    sql`select c.relname as table, k.conname as name, k.contype as type, pg_get_constraintdef(k.oid) as definition
          from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and c.relname = any(${names}::text[]) and k.contype in ('f', 'p', 'u')
         order by c.relname, k.conname`,
  );
  const indexes = await selectRows<Definition>(
    tx,
    sql`select c.relname as table, x.relname as name, pg_get_indexdef(i.indexrelid) as definition
          from pg_index i join pg_class c on c.oid = i.indrelid join pg_class x on x.oid = i.indexrelid
          join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and c.relname = any(${names}::text[])
           and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
         order by c.relname, x.relname`,
  );
  const triggers = await selectRows<Definition>(
    tx,
    sql`select c.relname as table, t.tgname as name, '' as definition
          from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and c.relname = any(${names}::text[]) and not t.tgisinternal and t.tgenabled <> 'D'
         order by c.relname, t.tgname`,
  );
  for (const t of triggers)
    await tx.execute(sql.raw(`alter table ${quoted(t.table)} disable trigger ${quoted(t.name)}`));
  const foreignKeys = constraints.filter((c) => c.type === "f");
  const keys = constraints.filter((c) => c.type !== "f");
  // References first: a primary key cannot go while a foreign key leans on it.
  for (const c of [...foreignKeys, ...keys])
    await tx.execute(sql.raw(`alter table ${quoted(c.table)} drop constraint ${quoted(c.name)}`));
  for (const i of indexes) await tx.execute(sql.raw(`drop index ${quoted(i.name)}`));
  return { foreignKeys, keys, indexes, triggers };
}

/**
 * Builds what setAsideConstraints took away, keys before the references to
 * them, and turns the triggers back on. What the triggers would have done
 * for the rows loaded is the caller's to do once.
 */
export async function restoreConstraints(
  tx: Executor,
  { foreignKeys, keys, indexes, triggers }: SetAside,
): Promise<void> {
  for (const c of keys)
    await putBack(tx, c, `alter table ${quoted(c.table)} add constraint ${quoted(c.name)} ${c.definition}`);
  for (const i of indexes) await putBack(tx, i, i.definition);
  for (const c of foreignKeys)
    await putBack(tx, c, `alter table ${quoted(c.table)} add constraint ${quoted(c.name)} ${c.definition}`);
  for (const t of triggers)
    await tx.execute(sql.raw(`alter table ${quoted(t.table)} enable trigger ${quoted(t.name)}`));
}

/** Rows that break a key or a reference refuse the restore in words an operator can act on. */
async function putBack(tx: Executor, what: Definition, statement: string): Promise<void> {
  try {
    await tx.execute(sql.raw(statement));
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new BackupError(`The restored rows of ${what.table} break ${what.name}: ${cause}.`, { cause: error });
  }
}

/** The access revision moves on, as its triggers move it once a transaction (db/migrations/0014). */
export async function advanceAccessRevision(tx: Executor): Promise<void> {
  await tx.execute(sql`
    update access_revision
       set revision = greatest(revision + 1, floor(extract(epoch from clock_timestamp()) * 1000)::bigint),
           changed_at = clock_timestamp()`);
}
