import { exceptionKinds, type EvidenceException } from "./exceptions";

const HEADER = [
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
];

/** One exception as a CSV row, with its kind's title and definition. */
function exceptionRow(e: EvidenceException): (string | null)[] {
  return [
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
  ];
}

/** Exceptions as CSV rows (header first). */
export function exceptionRows(found: EvidenceException[]): (string | null)[][] {
  return [HEADER, ...found.map(exceptionRow)];
}

/** The same rows as they arrive (header first), for a file of any length. */
export async function* exceptionRowStream(found: AsyncIterable<EvidenceException>): AsyncGenerator<(string | null)[]> {
  yield HEADER;
  for await (const e of found) yield exceptionRow(e);
}
