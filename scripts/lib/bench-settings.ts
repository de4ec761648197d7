import { z } from "zod";

/**
 * Settings of the benchmark scripts only, parsed here so they stay out of the app's configuration
 * (lib/env.ts). An empty variable means "not set".
 */

const unsetIfEmpty = (v: unknown) => (v === "" ? undefined : v);
const count = (fallback: number) => z.preprocess(unsetIfEmpty, z.coerce.number().int().positive().default(fallback));
/** A comma-separated list of whole numbers, each within [min, max]. */
const numbers = (fallback: string, min: number, max: number) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .default(fallback)
      .transform((s) => s.split(",").map((n) => Number(n.trim())))
      .pipe(z.array(z.number().int().min(min).max(max)).min(1)),
  );
const benchSchema = z.object({
  BENCH_DATABASE_URL: z.preprocess(
    unsetIfEmpty,
    z.string().url().default("postgres://postgres@127.0.0.1:5432/postgres"),
  ),
  // Shorter runs for a smoke test; the published figures use the defaults.
  BENCH_SECONDS: count(10),
  BENCH_WARMUP_SECONDS: count(3),
  BENCH_RUNS: count(15),
  // The organisation bench:access seeds (10,000 for the published figures; 100,000 to compare at that size).
  BENCH_ACCESS_PEOPLE: count(10_000),
  // The organisation bench:evidence seeds before making a pack.
  BENCH_EVIDENCE_PEOPLE: count(10_000),
  // The organisation sizes bench:import generates, comma-separated.
  BENCH_IMPORT_SIZES: numbers("10000", 100, 100_000),
  // The organisation sizes bench:scale seeds and measures, comma-separated; 10,000 is the reference the others are compared with.
  BENCH_SCALE_SIZES: numbers("1000,10000,100000", 100, 1_000_000),
  // The constant arrival rates bench:access offers the decision listener, comma-separated (checks a second).
  BENCH_OPEN_LOOP_RATES: numbers("1000,2000,4000,8000", 10, 100_000),
});

export function benchSettings(): z.infer<typeof benchSchema> {
  const result = benchSchema.safeParse(process.env);
  if (!result.success)
    throw new Error(
      `Invalid configuration:\n${result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`,
    );
  return result.data;
}
