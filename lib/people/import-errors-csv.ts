import type { PersonValues, RowError } from "./import-rules";

const HEADER = ["row", "column", "value", "message"];

/** A CSV cell: quoted when needed, and a leading =, +, - or @ neutralised so a spreadsheet never runs it as a formula. */
function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The value a problem is about, as the row gave it (empty when the cell could not be read into a value). */
export function problemValue(values: PersonValues, column: string | null): string {
  switch (column) {
    case "email":
      return values.email;
    case "name":
      return values.name;
    case "department":
      return values.departmentId ?? "";
    case "title":
      return values.title ?? "";
    case "manager_email":
      return values.managerEmail ?? "";
    case "hire_date":
      return values.hireDate ?? "";
    case "roles":
      return values.roles?.join(";") ?? "";
    default:
      return "";
  }
}

/** Every problem of a previewed file, one line each (row, column, value, message): nothing is left out, however many there are. */
export function importErrorsCsv(plan: { rows: readonly { errors: RowError[]; values: PersonValues }[] }): string {
  const lines = [HEADER.join(",")];
  for (const row of plan.rows) {
    for (const error of row.errors)
      lines.push(
        [String(error.row), error.column ?? "", problemValue(row.values, error.column), error.message]
          .map(cell)
          .join(","),
      );
  }
  return `${lines.join("\r\n")}\r\n`;
}
