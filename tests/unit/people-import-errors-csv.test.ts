import { describe, expect, it } from "vitest";

import { parseCsv } from "@/lib/people/csv-parse";
import { importErrorsCsv } from "@/lib/people/import-errors-csv";
import { planImport } from "@/lib/people/import-planner";
import { IMPORT_MAX_ROWS } from "@/lib/people/import-rules";

const header = "email,name,department,title,manager_email,hire_date,roles";

describe("every import problem as CSV", () => {
  it("lists every error row, however many, with row, column, value and message", () => {
    const rows = Array.from({ length: 4_326 }, (_, i) => `p${i}@test.example,Person ${i},,,,2026-13-0${1 + (i % 9)},`);
    const plan = planImport({ text: [header, ...rows].join("\n"), people: [], departments: [], maxRows: 10_000 });
    if (!plan.ok) throw new Error(plan.error);
    const csv = parseCsv(importErrorsCsv(plan));
    if (!csv.ok) throw new Error(csv.error);
    const [head, ...lines] = csv.records;
    expect(head.fields).toEqual(["row", "column", "value", "message"]);
    expect(lines).toHaveLength(4_326);
    expect(lines[0].fields.slice(0, 2)).toEqual(["2", "hire_date"]);
  });

  it("neutralises cells a spreadsheet would run as formulas", () => {
    const plan = planImport({
      text: `${header}\n=cmd@x.example,"=HYPERLINK(""http://x"")",,,,,`,
      people: [],
      departments: [],
    });
    if (!plan.ok) throw new Error(plan.error);
    expect(importErrorsCsv(plan)).not.toMatch(/,=/);
  });

  it("the page keeps its limit; the command line takes a whole organisation", () => {
    const text = [
      header,
      ...Array.from({ length: IMPORT_MAX_ROWS + 1 }, (_, i) => `p${i}@test.example,P ${i},,,,,`),
    ].join("\n");
    expect(planImport({ text, people: [], departments: [] }).ok).toBe(false);
    expect(planImport({ text, people: [], departments: [], maxRows: 100_000 }).ok).toBe(true);
  });
});
