import { appRoles, type AppRole } from "@/db/schema/people";

import type { CsvRecord } from "./csv-parse";
import { sizeError } from "./import-limits";
import { isValidEmail, isValidIsoDate, normaliseEmail, parseRoles, type PersonSnapshot } from "./person-fields";

/**
 * The people CSV import as pure functions: parse the file, validate each row
 * and decide what it would do against the people who exist now. The database
 * work (reading the people, applying the plan) sits in import-people.ts.
 */

export { IMPORT_JOB_MAX_BYTES, IMPORT_MAX_BYTES, jobSizeError, sizeError } from "./import-limits";

export const IMPORT_MAX_ROWS = 5000;
/** Operators' command-line import (`npm run people:import`) takes a whole organisation in one file. */
export const IMPORT_MAX_ROWS_CLI = 100_000;
export const IMPORT_COLUMNS = ["email", "name", "department", "title", "manager_email", "hire_date", "roles"] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
const REQUIRED_COLUMNS: ImportColumn[] = ["email", "name"];

export { parseCsv, type CsvRecord, type CsvResult } from "./csv-parse";

/** Header names as people write them: "Manager email", "manager-email" and "MANAGER_EMAIL" are one column. */
export function normaliseHeader(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

// ---- The plan ---------------------------------------------------------------------------------

/** A person as the import finds them: what the audit log describes, and whether they are active. */
export type ExistingPerson = PersonSnapshot & { status: string };

export type Department = { id: string; name: string };

/** What a row sets. `undefined` leaves a field as it is (an empty cell, or a column the file does not have). */
export type PersonValues = {
  email: string;
  name: string;
  departmentId?: string;
  title?: string;
  managerEmail?: string;
  hireDate?: string;
  roles?: AppRole[];
};

export type RowError = { row: number; column: ImportColumn | null; message: string };
export type FieldChange = { field: ImportColumn; from: string | null; to: string | null };
export type RowAction = "create" | "update" | "unchanged" | "invalid";

export type PlannedRow = {
  row: number;
  email: string;
  name: string;
  action: RowAction;
  changes: FieldChange[];
  errors: RowError[];
  values: PersonValues;
};

export type ImportSummary = { rows: number; create: number; update: number; unchanged: number; invalid: number };
export type ImportPlan =
  { ok: true; columns: ImportColumn[]; rows: PlannedRow[]; summary: ImportSummary } | { ok: false; error: string };

export type PlanInput = {
  text: string;
  people: ExistingPerson[];
  departments: Department[];
  /** The admin importing: they may not take away their own compliance admin role. */
  actorEmail?: string;
  /** At most this many rows (IMPORT_MAX_ROWS unless given). */
  maxRows?: number;
};

const MAX_TEXT = 200;
const quote = (s: string) => `“${s.length > 60 ? `${s.slice(0, 57)}…` : s}”`;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

export function readHeader(
  fields: string[],
): { ok: true; index: Map<ImportColumn, number> } | { ok: false; error: string } {
  const index = new Map<ImportColumn, number>();
  const unknown: string[] = [];
  for (const [i, raw] of fields.entries()) {
    const name = normaliseHeader(raw);
    if (name === "") continue;
    if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) {
      unknown.push(raw.trim());
      continue;
    }
    if (index.has(name as ImportColumn))
      return { ok: false, error: `The column “${name}” appears twice in the header row. Keep one.` };
    index.set(name as ImportColumn, i);
  }
  if (unknown.length > 0) {
    return {
      ok: false,
      error: `Unknown ${unknown.length === 1 ? "column" : "columns"} ${unknown.map(quote).join(", ")} in the header row. The columns are: ${IMPORT_COLUMNS.join(", ")}.`,
    };
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0)
    return {
      ok: false,
      error: `The header row must name the ${missing.join(" and ")} ${missing.length === 1 ? "column" : "columns"}. The columns are: ${IMPORT_COLUMNS.join(", ")}.`,
    };
  return { ok: true, index };
}

/** A row as read and checked on its own; the checks across rows add to `errors`. */
export type Draft = { row: number; values: PersonValues; errors: RowError[]; rawEmail: string };

export function validateRow(
  record: CsvRecord,
  index: Map<ImportColumn, number>,
  width: number,
  departments: Department[],
): Draft {
  const row = record.line;
  const errors: RowError[] = [];
  const error = (column: ImportColumn | null, message: string) => errors.push({ row, column, message });
  const cell = (column: ImportColumn): string | undefined => {
    const i = index.get(column);
    return i === undefined ? undefined : (record.fields[i] ?? "").trim();
  };
  if (record.fields.length > width)
    error(
      null,
      `has ${record.fields.length} cells but the header row has ${width}. Put values that contain commas in double quotes.`,
    );

  const rawEmail = cell("email") ?? "";
  const email = normaliseEmail(rawEmail);
  if (!email) error("email", "is empty; every row needs the person's email address.");
  else if (!isValidEmail(email)) error("email", `${quote(rawEmail)} is not a valid email address.`);

  const name = (cell("name") ?? "").replace(/\s+/g, " ");
  if (!name) error("name", "is empty; every row needs the person's full name.");
  else if (name.length > MAX_TEXT) error("name", `is longer than ${MAX_TEXT} characters.`);

  const values: PersonValues = { email, name };

  const department = cell("department");
  if (department) {
    const wanted = department.toLowerCase();
    const match = departments.find((d) => d.id.toLowerCase() === wanted || d.name.toLowerCase() === wanted);
    if (match) values.departmentId = match.id;
    else
      error(
        "department",
        `${quote(department)} is not a department. Use one of: ${departments.map((d) => d.name).join(", ")}.`,
      );
  }

  const title = cell("title");
  if (title) {
    if (title.length > MAX_TEXT) error("title", `is longer than ${MAX_TEXT} characters.`);
    else values.title = title;
  }

  const manager = cell("manager_email");
  if (manager) {
    const managerEmail = normaliseEmail(manager);
    if (!isValidEmail(managerEmail)) error("manager_email", `${quote(manager)} is not a valid email address.`);
    else if (managerEmail === email)
      error("manager_email", "is the person's own email; someone cannot be their own manager.");
    else values.managerEmail = managerEmail;
  }

  const hireDate = cell("hire_date");
  if (hireDate) {
    if (isValidIsoDate(hireDate)) values.hireDate = hireDate;
    else
      error("hire_date", `${quote(hireDate)} is not a valid date. Write dates as YYYY-MM-DD, for example 2026-11-01.`);
  }

  const roles = cell("roles");
  if (roles) {
    const parsed = parseRoles(roles);
    if (parsed.unknown.length > 0) {
      error(
        "roles",
        `${parsed.unknown.map(quote).join(", ")} ${parsed.unknown.length === 1 ? "is not a role" : "are not roles"}. Use ${appRoles.join(", ")}, separated by ";" or "|".`,
      );
    } else values.roles = parsed.roles;
  }
  return { row, values, errors, rawEmail };
}

function describeDepartment(id: string | null, departments: Department[]): string | null {
  if (!id) return null;
  return departments.find((d) => d.id === id)?.name ?? id;
}

/** The fields a row would change on an existing person, as the preview shows them. */
export function changesFor(existing: ExistingPerson, values: PersonValues, departments: Department[]): FieldChange[] {
  const changes: FieldChange[] = [];
  const add = (field: ImportColumn, from: string | null, to: string | null) => {
    if (from !== to) changes.push({ field, from, to });
  };
  add("name", existing.name, values.name);
  if (values.departmentId !== undefined)
    add(
      "department",
      describeDepartment(existing.departmentId, departments),
      describeDepartment(values.departmentId, departments),
    );
  if (values.title !== undefined) add("title", existing.title, values.title);
  if (values.managerEmail !== undefined) add("manager_email", existing.managerEmail, values.managerEmail);
  if (values.hireDate !== undefined) add("hire_date", existing.hireDate, values.hireDate);
  if (values.roles !== undefined) {
    const before = [...existing.roles].sort().join("; ");
    add("roles", before, values.roles.join("; "));
  }
  return changes;
}

/**
 * Follows each person's manager (email → manager email) and returns the
 * cycles found, each as the list of emails around it. The graph has at most
 * one edge out of each node, so one pass finds them all.
 */
export function findCycles(edges: Map<string, string>): string[][] {
  const state = new Map<string, "walking" | "done">();
  const cycles: string[][] = [];
  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    let node: string | undefined = start;
    while (node !== undefined && !state.has(node)) {
      state.set(node, "walking");
      path.push(node);
      node = edges.get(node);
    }
    if (node !== undefined && state.get(node) === "walking") cycles.push(path.slice(path.indexOf(node)));
    for (const p of path) state.set(p, "done");
  }
  return cycles;
}

/** "2 to create, 1 to update, 5 unchanged, 1 with errors" */
export function summaryText(summary: ImportSummary): string {
  return `${summary.create.toLocaleString("en")} to create, ${summary.update.toLocaleString("en")} to update, ${summary.unchanged.toLocaleString("en")} unchanged, ${plural(summary.invalid, "row")} with errors`;
}

/** How an error reads on its own: "Row 4, department: “Marketing” is not a department…" */
export function errorText(error: RowError): string {
  return error.column ? `Row ${error.row}, ${error.column}: ${error.message}` : `Row ${error.row}: ${error.message}`;
}

/** What an import row leaves a person as, starting from who they are now (or nobody). */
export function applyValues(before: PersonSnapshot | null, values: PersonValues): PersonSnapshot {
  return {
    email: values.email,
    name: values.name,
    departmentId: values.departmentId ?? before?.departmentId ?? null,
    title: values.title ?? before?.title ?? null,
    managerEmail: values.managerEmail ?? before?.managerEmail ?? null,
    hireDate: values.hireDate ?? before?.hireDate ?? null,
    roles: values.roles ?? before?.roles ?? ["employee"],
  };
}

const NOT_UTF8 =
  "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8 (comma delimited)” and upload it again.";

/** The uploaded bytes as text: within the size limit and valid UTF-8 (a byte-order mark is fine). */
export function decodeImportFile(
  bytes: Uint8Array,
  limit: (bytes: number) => string | null = sizeError,
): { ok: true; text: string } | { ok: false; error: string } {
  const tooBig = limit(bytes.byteLength);
  if (tooBig) return { ok: false, error: tooBig };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, error: NOT_UTF8 };
  }
  // NUL is never in CSV text (a UTF-16 file is full of them) and PostgreSQL refuses it in text columns.
  if (text.includes("\u0000")) return { ok: false, error: NOT_UTF8 };
  return { ok: true, text };
}
