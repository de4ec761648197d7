import { describe, expect, it } from "vitest";

import { CsvReader } from "@/lib/people/csv-parse";
import { planImport } from "@/lib/people/import-planner";
import {
  decodeImportFile,
  errorText,
  findCycles,
  IMPORT_MAX_BYTES,
  parseCsv,
  summaryText,
  type ExistingPerson,
} from "@/lib/people/import-rules";
import { auditChanges, isValidIsoDate, parseRoles } from "@/lib/people/person-fields";

const DEPARTMENTS = [
  { id: "support", name: "Customer Support" },
  { id: "engineering", name: "Engineering" },
  { id: "legal", name: "Legal & Compliance" },
];

const HEADER = "email,name,department,title,manager_email,hire_date,roles";

function person(email: string, overrides: Partial<ExistingPerson> = {}): ExistingPerson {
  return {
    email,
    name: email.split("@")[0],
    departmentId: "support",
    title: null,
    managerEmail: null,
    hireDate: null,
    roles: ["employee"],
    status: "active",
    ...overrides,
  };
}

function plan(lines: string[], people: ExistingPerson[] = [], actorEmail?: string) {
  const result = planImport({ text: [HEADER, ...lines].join("\r\n"), people, departments: DEPARTMENTS, actorEmail });
  if (!result.ok) throw new Error(result.error);
  return result;
}

describe("parseCsv", () => {
  it.each([
    [
      "plain",
      "a,b,c\n1,2,3",
      [
        ["a", "b", "c"],
        ["1", "2", "3"],
      ],
    ],
    [
      "CRLF and a final newline",
      "a,b\r\n1,2\r\n",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    [
      "lone CR line ends",
      "a,b\r1,2",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    [
      "a UTF-8 byte-order mark",
      "\uFEFFemail,name\nx@y.z,José Ñúñez",
      [
        ["email", "name"],
        ["x@y.z", "José Ñúñez"],
      ],
    ],
    [
      "quoted commas",
      'name,title\n"Díaz, Carmen","Lead, Compliance"',
      [
        ["name", "title"],
        ["Díaz, Carmen", "Lead, Compliance"],
      ],
    ],
    ["doubled quotes", 'a\n"She said ""hi"""', [["a"], ['She said "hi"']]],
    [
      "line breaks inside quotes",
      'a,b\n"line one\r\nline two",x',
      [
        ["a", "b"],
        ["line one\r\nline two", "x"],
      ],
    ],
    [
      "empty fields",
      "a,b,c\n,,\n1,,3",
      [
        ["a", "b", "c"],
        ["", "", ""],
        ["1", "", "3"],
      ],
    ],
    [
      "an empty quoted field",
      'a,b\n"",x',
      [
        ["a", "b"],
        ["", "x"],
      ],
    ],
    ["blank lines skipped", "a\n\n1\n\n", [["a"], ["1"]]],
    ["李华 and other scripts", "name\n李华", [["name"], ["李华"]]],
  ])("parses %s", (_, text, expected) => {
    const result = parseCsv(text);
    expect(result.ok && result.records.map((r) => r.fields)).toEqual(expected);
  });

  it("numbers records by the line they start on, counting blank lines and breaks inside quotes", () => {
    const result = parseCsv('h\n"two\nlines"\n\nfour');
    expect(result.ok && result.records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it("refuses an unclosed quote and text after a closing quote, naming the line", () => {
    expect(parseCsv('a\n"never closed')).toEqual({
      ok: false,
      error: expect.stringMatching(/^Line 2: a quoted field is never closed/),
    });
    expect(parseCsv('a,b\n1,"x"y')).toEqual({
      ok: false,
      error: expect.stringMatching(/^Line 2: unexpected text after a closing quote/),
    });
  });

  it("reads a stream cut anywhere (inside quotes, between CR and LF, inside a doubled quote) as the whole text", () => {
    const texts = [
      '\uFEFFemail,name\r\na@x.example,"Nuñez, ""José""\r\nJr"\r\n\r\nb@x.example,李华\rc@x.example,"",',
      'h\n"two\nlines"\n\nfour',
      'a,b\n1,"x"y',
      'a\n"never closed',
    ];
    for (const text of texts) {
      const whole = parseCsv(text);
      for (let size = 1; size <= 4; size++)
        for (let offset = 0; offset < size; offset++) {
          const reader = new CsvReader();
          const records = [];
          const cuts = [
            0,
            offset,
            ...Array.from({ length: Math.ceil(text.length / size) }, (_, i) => offset + (i + 1) * size),
          ];
          for (let i = 0; i + 1 < cuts.length; i++) records.push(...reader.push(text.slice(cuts[i], cuts[i + 1])));
          records.push(...reader.end());
          expect(reader.error ? { ok: false, error: reader.error } : { ok: true, records }).toEqual(whole);
        }
    }
  });
});

describe("cells", () => {
  it.each([
    ["2026-11-01", true],
    ["2024-02-29", true],
    ["2026-02-29", false],
    ["2026-13-01", false],
    ["01/11/2026", false],
    ["2026-1-1", false],
    ["1850-01-01", false],
  ])("date %s is valid: %s", (value, valid) => expect(isValidIsoDate(value)).toBe(valid));

  it("reads roles separated by ; or |, always with employee, and names unknown ones", () => {
    expect(parseRoles("manager; Compliance admin")).toEqual({
      roles: ["compliance_admin", "employee", "manager"],
      unknown: [],
    });
    expect(parseRoles("auditor|manager")).toEqual({ roles: ["auditor", "employee", "manager"], unknown: [] });
    expect(parseRoles("")).toEqual({ roles: ["employee"], unknown: [] });
    expect(parseRoles("manager;boss").unknown).toEqual(["boss"]);
  });

  it("decodes UTF-8 and refuses other encodings and oversized files", () => {
    expect(decodeImportFile(new TextEncoder().encode("\uFEFFemail\nx"))).toEqual({ ok: true, text: "email\nx" });
    expect(decodeImportFile(new Uint8Array([0x65, 0xe9, 0x0a]))).toEqual({
      ok: false,
      error: expect.stringContaining("not UTF-8"),
    });
    expect(decodeImportFile(new Uint8Array(IMPORT_MAX_BYTES + 1))).toEqual({
      ok: false,
      error: expect.stringContaining("the limit is 1 MB"),
    });
    expect(decodeImportFile(new Uint8Array(0))).toEqual({ ok: false, error: expect.stringContaining("empty") });
  });
});

describe("planImport", () => {
  it("decides create, update with the changed fields, and unchanged", () => {
    const existing = [
      person("boss@x.example", { name: "Boss", departmentId: "legal" }),
      person("ana@x.example", {
        name: "Ana",
        title: "Engineer",
        managerEmail: "boss@x.example",
        hireDate: "2024-01-01",
      }),
      person("bo@x.example", { name: "Bo" }),
    ];
    const result = plan(
      [
        "new@x.example,New Person,Engineering,Developer,boss@x.example,2026-12-01,manager",
        "ANA@x.example,Ana,support,Senior Engineer,boss@x.example,2024-01-01,",
        "bo@x.example,Bo,,,,,",
      ],
      existing,
    );
    expect(result.rows.map((r) => [r.row, r.action])).toEqual([
      [2, "create"],
      [3, "update"],
      [4, "unchanged"],
    ]);
    expect(result.rows[0].changes.map((c) => c.field)).toEqual([
      "name",
      "department",
      "title",
      "manager_email",
      "hire_date",
      "roles",
    ]);
    expect(result.rows[0].values).toEqual({
      email: "new@x.example",
      name: "New Person",
      departmentId: "engineering",
      title: "Developer",
      managerEmail: "boss@x.example",
      hireDate: "2026-12-01",
      roles: ["employee", "manager"],
    });
    expect(result.rows[1].changes).toEqual([{ field: "title", from: "Engineer", to: "Senior Engineer" }]);
    expect(result.summary).toEqual({ rows: 3, create: 1, update: 1, unchanged: 1, invalid: 0 });
    expect(summaryText(result.summary)).toBe("1 to create, 1 to update, 1 unchanged, 0 rows with errors");
  });

  it("shows department names and roles in the changes", () => {
    const result = plan(
      ["ana@x.example,Ana,Engineering,,,,manager;auditor"],
      [person("ana@x.example", { name: "Ana" })],
    );
    expect(result.rows[0].changes).toEqual([
      { field: "department", from: "Customer Support", to: "Engineering" },
      { field: "roles", from: "employee", to: "auditor; employee; manager" },
    ]);
  });

  it("names the row and column of every error", () => {
    const result = plan([
      "not-an-email,Someone,,,,,",
      "a@x.example,,Marketing,,,31/12/2026,boss",
      "b@x.example,B,,,nobody@x.example,,",
    ]);
    const errors = result.rows.flatMap((r) => r.errors.map(errorText));
    expect(errors).toEqual([
      "Row 2, email: “not-an-email” is not a valid email address.",
      "Row 3, name: is empty; every row needs the person's full name.",
      expect.stringMatching(
        /^Row 3, department: “Marketing” is not a department\. Use one of: Customer Support, Engineering/,
      ),
      expect.stringMatching(/^Row 3, hire_date: “31\/12\/2026” is not a valid date/),
      expect.stringMatching(/^Row 3, roles: “boss” is not a role/),
      "Row 4, manager_email: no one with the email nobody@x.example exists or is in the file. Add the manager first, or in the same file.",
    ]);
    expect(result.summary.invalid).toBe(3);
  });

  it("accepts a manager who is a valid row further down the file, and refuses one whose row has errors", () => {
    const result = plan([
      "report@x.example,Report,,,lead@x.example,,",
      "lead@x.example,Lead,,,,,",
      "other@x.example,Other,,,broken@x.example,,",
      "broken@x.example,Broken,Nowhere,,,,",
      "third@x.example,Third,,,other@x.example,,",
    ]);
    expect(result.rows.map((r) => r.action)).toEqual(["create", "create", "invalid", "invalid", "invalid"]);
    expect(errorText(result.rows[2].errors[0])).toBe(
      "Row 4, manager_email: the manager broken@x.example is on row 5, which has errors. Fix that row first.",
    );
    // The failure travels: row 6's manager is row 4, which failed because of row 5.
    expect(result.rows[4].errors[0].message).toContain("row 4, which has errors");
  });

  it("flags every row of a duplicated email", () => {
    const result = plan(["a@x.example,A,,,,,", "b@x.example,B,,,a@x.example,,", "A@x.example,A again,,,,,"]);
    expect(result.rows.map((r) => r.action)).toEqual(["invalid", "invalid", "invalid"]);
    expect(result.rows[0].errors[0].message).toBe(
      "a@x.example appears more than once in the file (rows 2, 4). Keep one row per person.",
    );
    expect(result.rows[1].errors[0].message).toContain("is on more than one row (rows 2, 4)");
  });

  it("refuses cycles in the reporting line, within the file and through existing people", () => {
    const inFile = plan([
      "a@x.example,A,,,b@x.example,,",
      "b@x.example,B,,,c@x.example,,",
      "c@x.example,C,,,a@x.example,,",
      "d@x.example,D,,,a@x.example,,",
    ]);
    expect(inFile.rows.map((r) => r.action)).toEqual(["invalid", "invalid", "invalid", "invalid"]);
    expect(inFile.rows[0].errors[0]).toEqual({
      row: 2,
      column: "manager_email",
      message: "would make the reporting line loop: a@x.example → b@x.example → c@x.example → a@x.example.",
    });
    expect(inFile.rows[3].errors[0].message).toContain("row 2, which has errors");

    // Existing: lead reports to head. The file makes head report to lead.
    const existing = [person("head@x.example"), person("lead@x.example", { managerEmail: "head@x.example" })];
    const through = plan(
      ["head@x.example,head,,,lead@x.example,,", "lead@x.example,lead,,,head@x.example,,"],
      existing,
    );
    expect(through.rows.map((r) => r.action)).toEqual(["invalid", "unchanged"]);
    expect(through.rows[0].errors[0].message).toBe(
      "would make the reporting line loop: head@x.example → lead@x.example → head@x.example.",
    );

    const self = plan(["a@x.example,A,,,A@x.example,,"]);
    expect(self.rows[0].errors[0].message).toContain("cannot be their own manager");
  });

  it("swapping two people's places is fine when it does not loop", () => {
    const existing = [
      person("top@x.example"),
      person("a@x.example", { managerEmail: "top@x.example" }),
      person("b@x.example", { managerEmail: "a@x.example" }),
    ];
    const result = plan(["b@x.example,b,,,top@x.example,,", "a@x.example,a,,,b@x.example,,"], existing);
    expect(result.rows.map((r) => r.action)).toEqual(["update", "update"]);
  });

  it("stops admins removing their own compliance admin role", () => {
    const me = person("me@x.example", { name: "Me", roles: ["compliance_admin", "employee"] });
    const result = plan(["me@x.example,Me,,,,,manager"], [me], "me@x.example");
    expect(errorText(result.rows[0].errors[0])).toBe(
      "Row 2, roles: would remove your own compliance admin role. Ask another compliance admin to change it.",
    );
  });

  it("refuses bad headers, empty files and too many rows with a clear message", () => {
    const run = (text: string) => planImport({ text, people: [], departments: DEPARTMENTS });
    expect(run("")).toEqual({ ok: false, error: expect.stringContaining("The file is empty") });
    expect(run("email,name\n")).toEqual({ ok: false, error: expect.stringContaining("no people") });
    expect(run("email,full name\nx@y.z,X")).toEqual({
      ok: false,
      error: expect.stringContaining("Unknown column “full name”"),
    });
    expect(run("email,title\nx@y.z,X")).toEqual({
      ok: false,
      error: expect.stringContaining("must name the name column"),
    });
    expect(run("email,name,Email\nx@y.z,X,y")).toEqual({ ok: false, error: expect.stringContaining("appears twice") });
    const many = ["email,name", ...Array.from({ length: 5001 }, (_, i) => `p${i}@x.example,P ${i}`)].join("\n");
    expect(run(many)).toEqual({
      ok: false,
      error:
        "The file has 5,001 rows; the limit is 5,000. Split it into smaller files and import them one after another.",
    });
    const enough = run(["email,name", ...Array.from({ length: 5000 }, (_, i) => `p${i}@x.example,P ${i}`)].join("\n"));
    expect(enough.ok && enough.summary.create).toBe(5000);
  });

  it("accepts header names in any case and order, and only some columns", () => {
    const result = planImport({
      text: "Name,E-mail,Hire Date\nAna,ana@x.example,2026-01-05".replace("E-mail", "Email"),
      people: [],
      departments: DEPARTMENTS,
    });
    expect(result.ok && result.columns).toEqual(["email", "name", "hire_date"]);
    expect(result.ok && result.rows[0].values).toEqual({ email: "ana@x.example", name: "Ana", hireDate: "2026-01-05" });
  });

  it("flags a row with more cells than the header", () => {
    const result = plan(["a@x.example,Díaz, Carmen,,,,,,"]);
    expect(errorText(result.rows[0].errors[0])).toMatch(/^Row 2: has 9 cells but the header row has 7/);
  });
});

describe("findCycles and auditChanges", () => {
  it("finds each cycle once", () => {
    const edges = new Map([
      ["a", "b"],
      ["b", "a"],
      ["c", "a"],
      ["d", "e"],
      ["x", "x"],
    ]);
    expect(findCycles(edges).map((c) => [...c].sort())).toEqual([["a", "b"], ["x"]]);
  });

  it("lists only the fields that changed, before and after", () => {
    const before = {
      email: "a@x",
      name: "A",
      departmentId: "support",
      title: null,
      managerEmail: null,
      hireDate: null,
      roles: ["employee"],
    };
    expect(auditChanges(before, { ...before, title: "Lead", roles: ["manager", "employee"] })).toEqual({
      title: { from: null, to: "Lead" },
      roles: { from: ["employee"], to: ["employee", "manager"] },
    });
    expect(auditChanges(before, { ...before })).toEqual({});
  });
});
