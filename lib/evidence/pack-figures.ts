import { exceptionKinds, type ExceptionKind } from "./exceptions";
import type { GrantEvent, PackScope, Rows } from "./pack-sections";
import type { SummaryFigure } from "./summary-pdf";

type FigureInput = {
  scope: PackScope;
  population: Rows;
  assignments: Rows;
  attempts: Rows;
  certifications: Rows;
  signatures: Rows;
  pdfs: number;
  grants: Record<GrantEvent, number>;
  decisions: { total: number; allowed: number; sampled: number };
  exceptions: Record<ExceptionKind, number>;
  overdueDays: number;
};

const SOC_TRAINING = ["SOC 2 CC1.4", "ISO/IEC 27001:2022 A.6.3", "GDPR Art. 39(1)(b)", "PIPL Art. 51"];
const AGREEMENTS = ["SOC 2 CC2.2", "ISO/IEC 27001:2022 A.6.2", "ISO/IEC 27001:2022 A.6.6", "GDPR Art. 32(4)"];
const ACCESS = ["ISO/IEC 27001:2022 A.5.15", "ISO/IEC 27001:2022 A.5.18", "GDPR Art. 32(4)"];

/** The values of one CSV column (by its header) over the data rows. */
function column(rows: Rows, name: string): (string | number | null)[] {
  const index = rows[0].indexOf(name);
  return rows.slice(1).map((r) => r[index]);
}
const count = (values: unknown[], wanted: unknown) => values.filter((v) => v === wanted).length;
const percent = (part: number, whole: number) => (whole === 0 ? "n/a (none)" : `${((100 * part) / whole).toFixed(1)}%`);
const n = (value: number) => value.toLocaleString("en");

/** The summary's figures, grouped by section, each with its definition and the controls it evidences. */
export function packFigures(input: FigureInput): { title: string; figures: SummaryFigure[] }[] {
  const from = input.scope.from.toISOString().slice(0, 10);
  const to = input.scope.to.toISOString().slice(0, 10);
  const inPeriod = (d: unknown) => typeof d === "string" && d >= from && d < to;
  const people = input.population.length - 1;
  const joiners = column(input.population, "start_date").filter(inPeriod).length;
  const leavers = column(input.population, "end_date").filter(inPeriod).length;

  const status = column(input.assignments, "status_at_period_end");
  const live = status.length - count(status, "cancelled");
  const onTime = count(status, "completed");
  const late = count(status, "completed_late");
  const results = column(input.attempts, "result");
  const passed = count(results, "pass");
  const certStatus = column(input.certifications, "status_at_period_end");
  const outcomes = column(input.signatures, "outcome");
  const signed = count(outcomes, "signed");
  const { decisions } = input;

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
          value: n(count(status, "overdue")),
          definition: "Assignments past their due date and still incomplete at the end of the period.",
          controls: SOC_TRAINING,
        },
        {
          label: "Quiz pass rate",
          value: `${percent(passed, results.length)} (${n(passed)} of ${n(results.length)} attempts)`,
          definition:
            "Quiz attempts submitted in the period that reached the pass mark, over all attempts submitted (training/attempts.csv). Scores appear only for people who share them; pass or fail always.",
          controls: SOC_TRAINING,
        },
        {
          label: "Certifications in force at the end of the period",
          value: `${n(count(certStatus, "in_force"))} (of ${n(certStatus.length)} in force at some moment)`,
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
          value: `${n(signed)} / ${n(outcomes.length - signed)}`,
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
