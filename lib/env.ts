import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The one reader of process.env. Values are validated on first use (server
 * start, a script, a test) rather than at import, so `next build` never needs
 * production secrets.
 */

const base64Key = z
  .string()
  .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded");

const boolish = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  DATA_ENCRYPTION_KEY: base64Key.optional(),
  DATA_ENCRYPTION_OLD_KEYS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",").map((k) => k.trim()).filter(Boolean) : []))
    .pipe(z.array(base64Key)),
  ORG_NAME: z.string().min(1).default("Brightline Support"),
  APP_URL: z.string().url("must be a URL like https://clearance.example.com").optional(),
  SIGNING_P12_PATH: z.string().min(1).optional(),
  SIGNING_P12_PASSPHRASE: z.string().optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional(),
  MAIL_FROM: z.string().min(3).default("Clearance <no-reply@clearance.local>"),
  CRON_SECRET: z.string().min(24, "must be at least 24 characters").optional(),
  SEED_DEMO: boolish.optional(),
  // How many proxies in front of the app append to X-Forwarded-For (0: clients connect directly).
  TRUST_PROXY: z.preprocess(
    (v) => (v === "false" || v === "no" ? "0" : v === "true" || v === "yes" ? "1" : v),
    z.coerce.number("must be the number of trusted proxies, e.g. 1").int("must be the number of trusted proxies, e.g. 1").min(0).max(10).default(0),
  ),
  SCHEDULER: z.enum(["in-process", "off"]).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  // The decision listener: GET/POST /api/v1/access/check served outside the web framework, for high-volume callers. Off unless a port is set.
  ACCESS_API_PORT: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(65535).optional()),
  ACCESS_API_HOST: z.string().min(1).default("127.0.0.1"),
  // Whether a passkey alone may sign a person in (it is then both factors); passkeys as a second factor work either way.
  PASSKEY_SIGN_IN: boolish.default(true),
});

export type Env = Omit<z.infer<typeof schema>, "NEXTAUTH_SECRET" | "DATA_ENCRYPTION_KEY" | "SEED_DEMO" | "APP_URL"> & {
  APP_URL: string;
  NEXTAUTH_SECRET: string;
  DATA_ENCRYPTION_KEY: string;
  SEED_DEMO: boolean;
  dataDir: string;
};

export class EnvError extends Error {}

let cached: Env | undefined;

/** Development secrets are made once and kept under the data directory. */
function developmentSecrets(dataDir: string): { NEXTAUTH_SECRET: string; DATA_ENCRYPTION_KEY: string } {
  const file = path.join(dataDir, "dev-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  mkdirSync(dataDir, { recursive: true });
  const secrets = {
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    DATA_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  console.warn(
    `[clearance] NEXTAUTH_SECRET and DATA_ENCRYPTION_KEY are not set: generated development values in ${file}. Set both in production.`,
  );
  return secrets;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable means "not set", as most deployment tools write it.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const values = result.data;
  const dataDir = path.resolve(values.DATA_DIR);
  const production = values.NODE_ENV === "production";
  let { NEXTAUTH_SECRET, DATA_ENCRYPTION_KEY } = values;
  if (!NEXTAUTH_SECRET || !DATA_ENCRYPTION_KEY) {
    if (production) {
      const missing = [!NEXTAUTH_SECRET && "NEXTAUTH_SECRET", !DATA_ENCRYPTION_KEY && "DATA_ENCRYPTION_KEY"].filter(Boolean);
      throw new EnvError(`Invalid configuration:\n${missing.map((m) => `  ${m}: required in production`).join("\n")}`);
    }
    const dev = developmentSecrets(dataDir);
    NEXTAUTH_SECRET ??= dev.NEXTAUTH_SECRET;
    DATA_ENCRYPTION_KEY ??= dev.DATA_ENCRYPTION_KEY;
  }
  const appUrl = values.APP_URL ?? values.NEXTAUTH_URL ?? "http://localhost:3000";
  if (production && !appUrl.startsWith("https://")) {
    console.warn("[clearance] APP_URL is not https: session cookies are not marked Secure. Serve Clearance over HTTPS in production.");
  }
  if (production && values.SIGNING_P12_PATH === undefined) {
    console.warn("[clearance] SIGNING_P12_PATH is not set: signed agreements are sealed with a self-signed development certificate.");
  }
  return {
    ...values,
    APP_URL: appUrl,
    NEXTAUTH_SECRET,
    DATA_ENCRYPTION_KEY,
    SEED_DEMO: values.SEED_DEMO ?? !production,
    dataDir,
  };
}

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests and scripts that change configuration between runs. */
export function resetEnvForTests(): void {
  cached = undefined;
}

let scriptOverrides: Record<string, string> = {};

/**
 * For scripts that run the app's code with settings of their own (the fault
 * run's data directory): applies them to env() and to every child process
 * started with childProcessEnv().
 */
export function configureEnvForScript(overrides: Record<string, string>): void {
  scriptOverrides = { ...scriptOverrides, ...overrides };
  cached = parseEnv({ ...process.env, ...scriptOverrides });
}

/** The environment for a child process a script starts: this one's, with the script's settings and `extra` on top. */
export function childProcessEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...scriptOverrides, ...extra };
}

const unsetIfEmpty = (v: unknown) => (v === "" ? undefined : v);
const count = (fallback: number) => z.preprocess(unsetIfEmpty, z.coerce.number().int().positive().default(fallback));
const benchSchema = z.object({
  BENCH_DATABASE_URL: z.preprocess(unsetIfEmpty, z.string().url().default("postgres://postgres@127.0.0.1:5432/postgres")),
  // Shorter runs for a smoke test; the published figures use the defaults.
  BENCH_SECONDS: count(10),
  BENCH_WARMUP_SECONDS: count(3),
  BENCH_RUNS: count(15),
});

/** Settings of the benchmark and fault-run scripts. */
export function benchSettings(): z.infer<typeof benchSchema> {
  const result = benchSchema.safeParse(process.env);
  if (!result.success) throw new EnvError(`Invalid configuration:\n${result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  return result.data;
}

/**
 * For statically built public pages: read without env(), which needs the
 * production secrets that `next build` does not have.
 */
export function orgNameForStaticPages(): string {
  return process.env.ORG_NAME?.trim() || "Brightline Support";
}

export function publicBaseUrlForStaticPages(): string {
  return (process.env.APP_URL || process.env.NEXTAUTH_URL || "http://localhost:3000").replace(/\/$/, "");
}
