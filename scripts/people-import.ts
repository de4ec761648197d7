import { readFileSync, writeFileSync } from "node:fs";

import { migrateDatabase } from "@/db/client";
import { DomainError } from "@/lib/errors";
import { importErrorsCsv } from "@/lib/people/import-errors-csv";
import { applyImportAs, previewImportAs } from "@/lib/people/import-people";
import { errorText, IMPORT_MAX_ROWS_CLI, summaryText } from "@/lib/people/import-rules";

import { getHandle, runCli } from "./lib/cli";

const USAGE = "Usage: npm run people:import -- FILE.csv [--apply] [--errors ERRORS.csv]";
const SHOWN = 20;
const MAX_BYTES = 16 * 1024 * 1024;

/**
 * The people import for operators, with the page's validation and wording:
 * a dry run by default (counts and the first problems; --errors writes every
 * problem row as CSV), and with --apply the valid rows are applied in one
 * transaction and audited as one import. Up to IMPORT_MAX_ROWS_CLI rows.
 */
await runCli(async () => {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith("--"));
  const errorsAt = args.indexOf("--errors");
  const errorsFile = errorsAt >= 0 ? args[errorsAt + 1] : undefined;
  if (!file || (errorsAt >= 0 && !errorsFile)) {
    console.error(USAGE);
    return 2;
  }
  const bytes = readFileSync(file);
  if (bytes.byteLength > MAX_BYTES) {
    console.error(
      `The file is ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_BYTES / 1024 / 1024} MB.`,
    );
    return 1;
  }
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    /* reported below */
  }
  if (!text.trim() || text.includes("\u0000")) {
    console.error("The file is empty or not UTF-8 text. Save it as “CSV UTF-8” and try again.");
    return 1;
  }
  await migrateDatabase(await getHandle());
  const actor = { name: "Operator (command line)", maxRows: IMPORT_MAX_ROWS_CLI };
  const started = performance.now();
  const plan = await previewImportAs(actor, text);
  if (!plan.ok) {
    console.error(plan.error);
    return 1;
  }
  console.log(
    `${plan.summary.rows.toLocaleString("en")} rows: ${summaryText(plan.summary)} (validated in ${Math.round(performance.now() - started)} ms).`,
  );
  const errors = plan.rows.flatMap((r) => r.errors);
  for (const error of errors.slice(0, SHOWN)) console.log(`  ${errorText(error)}`);
  if (errors.length > SHOWN)
    console.log(
      `  … and ${(errors.length - SHOWN).toLocaleString("en")} more${errorsFile ? "" : " (--errors FILE writes them all)"}.`,
    );
  if (errorsFile) {
    writeFileSync(errorsFile, importErrorsCsv(plan));
    console.log(`Every problem (${errors.length.toLocaleString("en")}) written to ${errorsFile}.`);
  }
  if (!args.includes("--apply")) {
    console.log("Dry run: nothing was changed. Add --apply to apply the valid rows.");
    return 0;
  }
  const applyStarted = performance.now();
  try {
    const result = await applyImportAs(
      actor,
      { actorId: null, actorLabel: "cli:people-import", ip: "127.0.0.1", userAgent: "people-import" },
      text,
    );
    console.log(
      `Applied: ${result.created.toLocaleString("en")} created, ${result.updated.toLocaleString("en")} updated (${Math.round(performance.now() - applyStarted)} ms).`,
    );
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(`${error.message} Nothing was changed.`);
      return 1;
    }
    throw error;
  }
});
