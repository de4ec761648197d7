import { exceptionKinds, type EvidenceException } from "./exceptions";

/** Exceptions as CSV rows (header first), each with its kind's title and definition. */
export function exceptionRows(found: EvidenceException[]): (string | null)[][] {
  return [
    [
      "Kind",
      "Finding",
      "Definition",
      "When (UTC)",
      "Name",
      "Email",
      "Department",
      "Concerns",
      "What was wrong",
      "Record",
    ],
    ...found.map((e) => [
      e.kind,
      exceptionKinds[e.kind].title,
      exceptionKinds[e.kind].definition,
      e.at.toISOString(),
      e.name,
      e.email,
      e.department,
      e.subject,
      e.detail,
      e.reference,
    ]),
  ];
}
