import { parseCsv, type CsvRecord } from "./csv-parse";
import {
  changesFor,
  findCycles,
  IMPORT_COLUMNS,
  IMPORT_MAX_ROWS,
  readHeader,
  validateRow,
  type Department,
  type Draft,
  type ExistingPerson,
  type ImportColumn,
  type ImportPlan,
  type ImportSummary,
  type PlanInput,
  type PlannedRow,
  type RowAction,
} from "./import-rules";
import { isValidEmail, normaliseEmail } from "./person-fields";

/** A row once checked against the file and the people who exist: what it would do, without the preview's details. */
export type CheckedRow = Draft & { action: RowAction };

export type CheckedPlan =
  { ok: true; columns: ImportColumn[]; rows: CheckedRow[]; summary: ImportSummary } | { ok: false; error: string };

/**
 * Plans an import one record at a time, so a whole organisation's file is
 * read as a stream: each row is validated as it arrives and kept as its few
 * values; the checks across rows (duplicates, managers, loops) run once
 * every row is in.
 */
export class ImportPlanner {
  private header: { index: Map<ImportColumn, number>; width: number } | null = null;
  private readonly drafts: Draft[] = [];
  private failed: string | null = null;
  private beyond = 0;
  private readonly maxRows: number;

  constructor(private readonly input: Omit<PlanInput, "text">) {
    this.maxRows = input.maxRows ?? IMPORT_MAX_ROWS;
  }

  /** Takes the next record; false once the file is refused (an unreadable header, too many rows). */
  add(record: CsvRecord): boolean {
    if (this.failed) return false;
    if (!this.header) {
      const head = readHeader(record.fields);
      if (!head.ok) this.failed = head.error;
      else this.header = { index: head.index, width: record.fields.length };
      return !this.failed;
    }
    // Past the limit rows are only counted, to say how many there are.
    if (this.drafts.length >= this.maxRows) {
      this.beyond++;
      return true;
    }
    this.drafts.push(validateRow(record, this.header.index, this.header.width, this.input.departments));
    return true;
  }

  /** The checks across rows, and each row's action. */
  finish(): CheckedPlan {
    if (this.failed) return { ok: false, error: this.failed };
    if (!this.header)
      return { ok: false, error: "The file is empty. It needs a header row (email, name, …) and one row per person." };
    if (this.drafts.length === 0)
      return { ok: false, error: "The file has a header row but no people. Add one row per person below it." };
    if (this.beyond > 0)
      return {
        ok: false,
        error: `The file has ${(this.drafts.length + this.beyond).toLocaleString("en")} rows; the limit is ${this.maxRows.toLocaleString("en")}. Split it into smaller files and import them one after another.`,
      };
    const rows = checkAcrossRows(this.drafts, this.input);
    const count = (a: RowAction) => rows.reduce((n, r) => n + (r.action === a ? 1 : 0), 0);
    return {
      ok: true,
      columns: IMPORT_COLUMNS.filter((c) => this.header!.index.has(c)),
      rows,
      summary: {
        rows: rows.length,
        create: count("create"),
        update: count("update"),
        unchanged: count("unchanged"),
        invalid: count("invalid"),
      },
    };
  }
}

function checkAcrossRows(drafts: Draft[], input: Omit<PlanInput, "text">): CheckedRow[] {
  const existing = new Map(input.people.map((p) => [normaliseEmail(p.email), p]));

  // The same email twice: we cannot tell which row is right, so neither is applied.
  const rowsByEmail = new Map<string, number[]>();
  for (const d of drafts)
    if (d.values.email && isValidEmail(d.values.email)) {
      const rows = rowsByEmail.get(d.values.email);
      if (rows) rows.push(d.row);
      else rowsByEmail.set(d.values.email, [d.row]);
    }
  for (const d of drafts) {
    const rows = rowsByEmail.get(d.values.email);
    if (rows && rows.length > 1)
      d.errors.push({
        row: d.row,
        column: "email",
        message: `${d.values.email} appears more than once in the file (rows ${rows.join(", ")}). Keep one row per person.`,
      });
  }

  const actor = input.actorEmail ? normaliseEmail(input.actorEmail) : null;
  for (const d of drafts) {
    if (actor && d.values.email === actor && d.values.roles && !d.values.roles.includes("compliance_admin")) {
      d.errors.push({
        row: d.row,
        column: "roles",
        message: "would remove your own compliance admin role. Ask another compliance admin to change it.",
      });
    }
  }

  // Manager references and cycles depend on which rows are valid, and each new error can invalidate
  // rows that name that person as manager, so repeat until nothing changes.
  const draftByEmail = new Map(
    drafts.filter((d) => rowsByEmail.get(d.values.email)?.length === 1).map((d) => [d.values.email, d]),
  );
  const isValid = (d: Draft) => d.errors.length === 0;
  for (let changed = true; changed;) {
    changed = false;
    for (const d of drafts) {
      const manager = d.values.managerEmail;
      if (!isValid(d) || !manager || existing.has(manager)) continue;
      const managerRow = draftByEmail.get(manager);
      const managerRows = rowsByEmail.get(manager) ?? [];
      if (managerRows.length > 1) {
        d.errors.push({
          row: d.row,
          column: "manager_email",
          message: `the manager ${manager} is on more than one row (rows ${managerRows.join(", ")}). Keep one row per person.`,
        });
        changed = true;
      } else if (!managerRow) {
        d.errors.push({
          row: d.row,
          column: "manager_email",
          message: `no one with the email ${manager} exists or is in the file. Add the manager first, or in the same file.`,
        });
        changed = true;
      } else if (!isValid(managerRow)) {
        d.errors.push({
          row: d.row,
          column: "manager_email",
          message: `the manager ${manager} is on row ${managerRow.row}, which has errors. Fix that row first.`,
        });
        changed = true;
      }
    }
    const edges = new Map<string, string>();
    for (const p of existing.values())
      if (p.managerEmail) edges.set(normaliseEmail(p.email), normaliseEmail(p.managerEmail));
    for (const d of drafts) if (isValid(d) && d.values.managerEmail) edges.set(d.values.email, d.values.managerEmail);
    for (const cycle of findCycles(edges)) {
      for (const [at, email] of cycle.entries()) {
        const d = draftByEmail.get(email);
        // Only rows that change someone's manager are blamed; an edge already in place is not this file's doing.
        if (!d || !isValid(d) || !d.values.managerEmail) continue;
        const before = existing.get(email)?.managerEmail;
        if (before && normaliseEmail(before) === d.values.managerEmail) continue;
        // Told from this row's person: "a → b → c → a".
        const loop = [...cycle.slice(at), ...cycle.slice(0, at), email];
        const shown = loop.length > 6 ? [...loop.slice(0, 5), "…", email] : loop;
        d.errors.push({
          row: d.row,
          column: "manager_email",
          message: `would make the reporting line loop: ${shown.join(" → ")}.`,
        });
        changed = true;
      }
    }
  }

  const checked = drafts as CheckedRow[];
  for (const d of checked) {
    const current = existing.get(d.values.email);
    d.action = !isValid(d)
      ? "invalid"
      : !current
        ? "create"
        : changesFor(current, d.values, input.departments).length > 0
          ? "update"
          : "unchanged";
  }
  return checked;
}

const blank = (email: string): ExistingPerson => ({
  email,
  name: "",
  departmentId: null,
  title: null,
  managerEmail: null,
  hireDate: null,
  roles: [],
  status: "active",
});

/** What a checked row would change, as the preview shows it (a new person: every field, from nothing). */
export function rowChanges(
  row: CheckedRow,
  existing: ExistingPerson | undefined,
  departments: Department[],
): PlannedRow["changes"] {
  if (row.action === "invalid" || row.action === "unchanged") return [];
  if (row.action === "update") return changesFor(existing!, row.values, departments);
  return changesFor(
    blank(row.values.email),
    { ...row.values, roles: row.values.roles ?? ["employee"] },
    departments,
  ).map((c) => ({ ...c, from: null }));
}

/**
 * Parses and validates an import and decides, row by row, what it would do:
 * create, update (with the changed fields), leave unchanged, or nothing
 * because of errors. Rows are checked against each other too: a duplicate
 * email, a manager who is neither an existing person nor a valid row of the
 * file, and a reporting line that would loop once applied.
 */
export function planImport(input: PlanInput): ImportPlan {
  const parsed = parseCsv(input.text);
  if (!parsed.ok) return parsed;
  const planner = new ImportPlanner(input);
  for (const record of parsed.records) if (!planner.add(record)) break;
  const plan = planner.finish();
  if (!plan.ok) return plan;
  const existing = new Map(input.people.map((p) => [normaliseEmail(p.email), p]));
  const rows = plan.rows.map((d): PlannedRow => ({
    row: d.row,
    email: d.values.email || d.rawEmail,
    name: d.values.name,
    action: d.action,
    changes: rowChanges(d, existing.get(d.values.email), input.departments),
    errors: d.errors,
    values: d.values,
  }));
  return { ok: true, columns: plan.columns, rows, summary: plan.summary };
}
