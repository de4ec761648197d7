import { exceptionKinds, type ExceptionKind } from "./exceptions";
import type { GrantEvent, PackScope, Row } from "./pack-sections";
import type { SummaryFigure } from "./summary-pdf";

type Cell = Row[number];

/** What the summary counts from the section files, gathered as their rows stream past. */
export type PackTally = {
  people: number;
  joiners: number;
  leavers: number;
  assignmentStatus: Record<string, number>;
  attempts: number;
  passed: number;
  certificationStatus: Record<string, number>;
  signatures: number;
  signed: number;
};

export const emptyTally = (): PackTally => ({
  people: 0,
  joiners: 0,
  leavers: 0,
  assignmentStatus: {},
  attempts: 0,
  passed: 0,
  certificationStatus: {},
  signatures: 0,
  signed: 0,
});

/**
 * A section's rows passed on unchanged (header first), with `see` called for
 * each data row with a reader of its cells by column name.
 */
export async function* counted(
  rows: AsyncIterable<Row>,
  see: (cell: (column: string) => Cell) => void,
): AsyncGenerator<Row> {
  let header: Row | null = null;
  for await (const row of rows) {
    if (!header) header = row;
    else {
      const columns = header;
      see((column) => row[columns.indexOf(column)]);
    }
    yield row;
  }
}

/** Counts each section's rows into `tally` as they pass, by the columns the figures are defined on. */
export function tallied(tally: PackTally, scope: PackScope) {
  const from = scope.from.toISOString().slice(0, 10);
  const to = scope.to.toISOString().slice(0, 10);
  const inPeriod = (d: Cell) => typeof d === "string" && d >= from && d < to;
  const bump = (counts: Record<string, number>, key: Cell) => (counts[String(key)] = (counts[String(key)] ?? 0) + 1);
  return {
    population: (rows: AsyncIterable<Row>) =>
      counted(rows, (cell) => {
        tally.people++;
        if (inPeriod(cell("start_date"))) tally.joiners++;
        if (inPeriod(cell("end_date"))) tally.leavers++;
      }),
    assignments: (rows: AsyncIterable<Row>) =>
      counted(rows, (cell) => bump(tally.assignmentStatus, cell("status_at_period_end"))),
    attempts: (rows: AsyncIterable<Row>) =>
      counted(rows, (cell) => {
        tally.attempts++;
        if (cell("result") === "pass") tally.passed++;
      }),
    certifications: (rows: AsyncIterable<Row>) =>
      counted(rows, (cell) => bump(tally.certificationStatus, cell("status_at_period_end"))),
    signatures: (rows: AsyncIterable<Row>) =>
      counted(rows, (cell) => {
        tally.signatures++;
        if (cell("outcome") === "signed") tally.signed++;
      }),
  };
}

type FigureInput = {
  tally: PackTally;
  pdfs: number;
  grants: Record<GrantEvent, number>;
  decisions: { total: number; allowed: number; sampled: number };
  exceptions: Record<ExceptionKind, number>;
  overdueDays: number;
};

const SOC_TRAINING = ["SOC 2 CC1.4", "ISO/IEC 27001:2022 A.6.3", "GDPR Art. 39(1)(b)", "PIPL Art. 51"];
const AGREEMENTS = ["SOC 2 CC2.2", "ISO/IEC 27001:2022 A.6.2", "ISO/IEC 27001:2022 A.6.6", "GDPR Art. 32(4)"];
const ACCESS = ["ISO/IEC 27001:2022 A.5.15", "ISO/IEC 27001:2022 A.5.18", "GDPR Art. 32(4)"];

const percent = (part: number, whole: number) => (whole === 0 ? "n/a (none)" : `${((100 * part) / whole).toFixed(1)}%`);
const n = (value: number) => value.toLocaleString("en");

/** The summary's figures, grouped by section, each with its definition and the controls it evidences. */
export function packFigures(input: FigureInput): { title: string; figures: SummaryFigure[] }[] {
  const { tally, decisions } = input;
  const { people, joiners, leavers, passed, signed } = tally;
  const status = (key: string) => tally.assignmentStatus[key] ?? 0;
  const assignmentCount = Object.values(tally.assignmentStatus).reduce((a, b) => a + b, 0);
  const live = assignmentCount - status("cancelled");
  const onTime = status("completed");
  const late = status("completed_late");
  const certifications = Object.values(tally.certificationStatus).reduce((a, b) => a + b, 0);

  return [
    {
      title: "Population",
      figures: [
        {
          label: "People in scope",
          value: n(people),
          definition:
            "People of the scope who were active at some moment of the period: started (hire date, or account creation when there is none) before its end, and not departed before its start. One row each in population.csv.",
          controls: ["SOC 2 CC1.4", "ISO/IEC 27001:2022 A.6.2"],
        },
        {
          label: "Joined / left in the period",
          value: `${n(joiners)} / ${n(leavers)}`,
          definition: "People of the population whose start date, or end date, falls within the period.",
          controls: ["ISO/IEC 27001:2022 A.5.18"],
        },
      ],
    },
    {
      title: "Training",
      figures: [
        {
          label: "Training completion rate",
          value: `${percent(onTime + late, live)} (${n(onTime + late)} of ${n(live)})`,
          definition:
            "Assignments open at some moment of the period and not cancelled by its end, that were completed by the end of the period (training/assignments.csv, status completed or completed_late), over all such assignments.",
          controls: SOC_TRAINING,
        },
        {
          label: "Completed on time",
          value: `${percent(onTime, live)} (${n(onTime)})`,
          definition: "Of the same assignments, those completed on or before their due date.",
          controls: SOC_TRAINING,
        },
        {
          label: "Overdue at the end of the period",
          value: n(status("overdue")),
          definition: "Assignments past their due date and still incomplete at the end of the period.",
          controls: SOC_TRAINING,
        },
        {
          label: "Quiz pass rate",
          value: `${percent(passed, tally.attempts)} (${n(passed)} of ${n(tally.attempts)} attempts)`,
          definition:
            "Quiz attempts submitted in the period that reached the pass mark, over all attempts submitted (training/attempts.csv). Scores appear only for people who share them; pass or fail always.",
          controls: SOC_TRAINING,
        },
        {
          label: "Certifications in force at the end of the period",
          value: `${n(tally.certificationStatus.in_force ?? 0)} (of ${n(certifications)} in force at some moment)`,
          definition:
            "Certifications issued before the end of the period and not expired or superseded by then; the total counts every certification in force at some moment of the period (training/certifications.csv).",
          controls: SOC_TRAINING,
        },
      ],
    },
    {
      title: "Agreements",
      figures: [
        {
          label: "Agreements signed / declined",
          value: `${n(signed)} / ${n(tally.signatures - signed)}`,
          definition:
            "Signatures and declines of confidentiality and data-protection agreements made in the period, by the population (and by partners, for the whole organisation): agreements/signatures.csv.",
          controls: AGREEMENTS,
        },
        {
          label: "Sealed PDFs included",
          value: n(input.pdfs),
          definition:
            "Signatures of the period whose sealed PDF (PAdES, the organisation's certificate) is stored; each is in agreements/pdfs/ as it was stored.",
          controls: AGREEMENTS,
        },
      ],
    },
    {
      title: "Data access",
      figures: [
        {
          label: "Access requests / approvals / denials",
          value: `${n(input.grants.requested)} / ${n(input.grants.approved)} / ${n(input.grants.denied)}`,
          definition: "Data-access role requests made, approved and denied in the period (access/grants.csv).",
          controls: ACCESS,
        },
        {
          label: "Revocations / lapses",
          value: `${n(input.grants.revoked)} / ${n(input.grants.lapsed)}`,
          definition:
            "Grants revoked by a person, and grants that stopped being effective because training or agreements lapsed, in the period.",
          controls: ACCESS,
        },
        {
          label: "Access decisions logged",
          value: `${n(decisions.total)} (${percent(decisions.allowed, decisions.total)} allowed; ${n(decisions.sampled)} sampled)`,
          definition:
            "Live decisions (may this person hold this role now?) answered to other systems in the period and logged; a reproducible sample is in access/decisions-sample.csv.",
          controls: ACCESS,
        },
      ],
    },
    {
      title: "Exceptions",
      figures: (Object.keys(exceptionKinds) as ExceptionKind[]).map((kind) => ({
        label: exceptionKinds[kind].title,
        value: n(input.exceptions[kind]),
        definition:
          kind === "overdue"
            ? `${exceptionKinds[kind].definition} Allowed: ${input.overdueDays} days.`
            : exceptionKinds[kind].definition,
        controls: kind === "overdue" ? SOC_TRAINING : kind === "agreement_outdated" ? AGREEMENTS : ACCESS,
      })),
    },
  ];
}
