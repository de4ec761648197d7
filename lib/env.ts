import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import pino from "pino";
import { z } from "zod";

import { createLogger, type LogLevel } from "./log";

/**
 * The one reader of process.env. Values are validated on first use (server
 * start, a script, a test) rather than at import, so `next build` never needs
 * production secrets.
 */

const base64Key = z.string().refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded");

const keyList = z
  .string()
  .optional()
  .transform((v) =>
    v
      ? v
          .split(",")
          .map((k) => k.trim())
          .filter(Boolean)
      : [],
  )
  .pipe(z.array(base64Key));

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
  DATA_ENCRYPTION_OLD_KEYS: keyList,
  // The audit chain's HMAC key (lib/audit/chain-key.ts); never stored in the database.
  AUDIT_CHAIN_KEY: base64Key.optional(),
  AUDIT_CHAIN_OLD_KEYS: keyList,
  // Surrounding spaces are dropped; a blank name is no name.
  ORG_NAME: z.preprocess(
    (v) => (typeof v === "string" ? v.trim() || undefined : v),
    z.string().min(1).default("Brightline Support"),
  ),
  // Whose law governs the organisation's agreements and whose courts hear disputes, as it reads after
  // "the laws of": e.g. "England and Wales", "the State of New York". Filled into {{organisation.jurisdiction}}.
  ORG_JURISDICTION: z.preprocess(
    (v) => (typeof v === "string" ? v.trim() || undefined : v),
    z.string().max(200).default("the country in which the organisation has its principal place of business"),
  ),
  APP_URL: z.string().url("must be a URL like https://clearance.example.com").optional(),
  SIGNING_P12_PATH: z.string().min(1).optional(),
  SIGNING_P12_PASSPHRASE: z.string().optional(),
  // An RFC 3161 time-stamping authority: every seal then carries its time-stamp (PAdES B-T), or is not made.
  TSA_URL: z.string().url("must be a URL like https://tsa.example.com/tsr").optional(),
  // A TSA on a loopback address over plain http (a test authority): for development and tests only.
  TSA_ALLOW_LOOPBACK_HTTP: boolish.default(false),
  // Revocation data (CRLs) in every seal (PAdES B-LT): "required" refuses to seal without it, "optional" seals
  // without it when it cannot be fetched, "off" never fetches. A revoked sealing certificate never seals.
  SEAL_REVOCATION: z.enum(["required", "optional", "off"]).default("optional"),
  // Where the sealing certificate's CRL is published, when the certificate names no CRL distribution point.
  SEAL_CRL_URL: z
    .string()
    .url("must be a URL like http://crl.example.com/sealing.crl")
    .regex(/^https?:\/\//i, "must be an http:// or https:// URL")
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  MAIL_FROM: z.string().min(3).default("Clearance <no-reply@clearance.local>"),
  CRON_SECRET: z.string().min(24, "must be at least 24 characters").optional(),
  SEED_DEMO: boolish.optional(),
  // With SEED_DEMO: give the demo organisation a year of training history (its reports' trend); off for walkthroughs from day one.
  SEED_DEMO_HISTORY: boolish.default(true),
  // How many proxies in front of the app append to X-Forwarded-For (0: clients connect directly).
  TRUST_PROXY: z.preprocess(
    (v) => (v === "false" || v === "no" ? "0" : v === "true" || v === "yes" ? "1" : v),
    z.coerce
      .number("must be the number of trusted proxies, e.g. 1")
      .int("must be the number of trusted proxies, e.g. 1")
      .min(0)
      .max(10)
      .default(0),
  ),
  SCHEDULER: z.enum(["in-process", "off"]).optional(),
  // JSON log lines on standard output (lib/log.ts) at this level and above.
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  // The bearer token a Prometheus scraper sends to /metrics; unset: /metrics answers 404.
  METRICS_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  // OpenTelemetry tracing (instrumentation.ts): spans go to this OTLP/HTTP collector; unset: tracing is off and not loaded.
  // The SDK also reads the standard OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_PROTOCOL and OTEL_TRACES_SAMPLER itself.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url("must be a URL like http://otel-collector:4318").optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(100).default("clearance"),
  // The decision listener: GET/POST /api/v1/access/check served outside the web framework, for high-volume callers. Off unless a port is set.
  ACCESS_API_PORT: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().min(1).max(65535).optional(),
  ),
  ACCESS_API_HOST: z.string().min(1).default("127.0.0.1"),
  // The decision listener's public base URL, named in its AuthZEN metadata; http://ACCESS_API_HOST:ACCESS_API_PORT unless set.
  ACCESS_API_URL: z.string().url("must be a URL like https://decisions.clearance.example.com").optional(),
  // The longest an allowed answer may be cached (Cache-Control max-age, never beyond its valid_until); 0: never cached.
  ACCESS_CACHE_SECONDS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().min(0).max(86_400).default(60),
  ),
  // (person, role) pairs whose deciding facts each process keeps between access checks while the access revision stands (lib/access/facts-cache.ts); 0: none.
  ACCESS_FACTS_CACHE_ENTRIES: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce
      .number("must be a number of (person, role) pairs, e.g. 100000")
      .int()
      .min(0)
      .max(10_000_000)
      .default(100_000),
  ),
  // Failed sign-ins from one address in 15 minutes before it is paused (an office behind one NAT may need more).
  SIGN_IN_IP_FAILURES: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().min(5).max(100_000).default(20),
  ),
  // Webhooks to loopback, private and link-local addresses, and over plain http: for development and tests only.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: boolish.default(false),
  // An OIDC issuer on a loopback address over plain http (a test identity provider): for development and tests only.
  SSO_ALLOW_LOOPBACK_HTTP: boolish.default(false),
  // Days a sent (or failed) email keeps its body; after that only its delivery record stays (the retention step).
  OUTBOX_RETENTION_DAYS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce
      .number("must be a number of days, e.g. 90")
      .int("must be a whole number of days")
      .min(1)
      .max(3650)
      .default(90),
  ),
  // How often `npm run worker` ticks (seconds); a minute in production, shorter in tests that watch several ticks.
  WORKER_INTERVAL_SECONDS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number("must be a number of seconds, e.g. 60").int().min(1).max(3600).default(60),
  ),
  // `npm run worker` serves its own metrics (GET /metrics, with METRICS_TOKEN) and liveness (GET /health/live) on this port when set.
  WORKER_METRICS_PORT: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number("must be a port number, e.g. 9464").int().min(1).max(65535).optional(),
  ),
  // The most people one scheduler run sweeps (assignments, reminders, lapses); a larger organisation is swept a slice a run.
  SCHEDULER_SWEEP_PEOPLE: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number("must be a number of people, e.g. 5000").int().min(100).max(1_000_000).default(5_000),
  ),
  // How often each app instance checks for newly published courses and agreements; the publishing instance reloads at once.
  CONTENT_REFRESH_SECONDS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number("must be a number of seconds, e.g. 5").int().min(1).max(300).default(5),
  ),
  // Set (to anything) when the start script leaves SIGTERM/SIGINT to the app (Next.js's own variable): Clearance then drains before it exits.
  NEXT_MANUAL_SIG_HANDLE: z.string().optional(),
  // On SIGTERM, how long readiness answers 503 while requests are still served, so the load balancer stops sending new ones first.
  SHUTDOWN_DELAY_SECONDS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number("must be a number of seconds, e.g. 5").int().min(0).max(300).default(0),
  ),
  // After that delay, the longest the requests (server) or the scheduled tick (worker) in flight may take before the process gives up and exits 1.
  SHUTDOWN_TIMEOUT_SECONDS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number("must be a number of seconds, e.g. 25").int().min(1).max(3600).default(25),
  ),
  // The largest SCORM package a compliance admin may upload, in megabytes (the ZIP and what it unpacks to).
  SCORM_MAX_PACKAGE_MB: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number("must be a number of megabytes, e.g. 200").int().min(1).max(2_000).default(200),
  ),
  // A learning record store (xAPI 1.0.3) to send statements to: its endpoint, ending before `statements`.
  XAPI_LRS_URL: z
    .string()
    .url("must be the LRS endpoint, like https://lrs.example.com/xapi/")
    .regex(/^https?:\/\//i, "must be an http:// or https:// URL")
    .optional(),
  // The LRS's key and secret (HTTP Basic), kept out of the URL so they never reach a log line.
  XAPI_LRS_USERNAME: z.string().min(1).optional(),
  XAPI_LRS_PASSWORD: z.string().min(1).optional(),
  // A learning record store connected in Admin → Webhooks may be plain http on a loopback address (a test LRS): for development and tests only.
  XAPI_ALLOW_LOOPBACK_HTTP: boolish.default(false),
  // How statements name a person: "account" (their Clearance id on APP_URL, no personal data) or "mbox" (their e-mail).
  XAPI_ACTOR: z.enum(["account", "mbox"]).default("account"),
  // Whether a passkey alone may sign a person in (it is then both factors); passkeys as a second factor work either way.
  PASSKEY_SIGN_IN: boolish.default(true),
});

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** TSA_URL is https, or http on a loopback address when TSA_ALLOW_LOOPBACK_HTTP is on (never in production). */
function checkTsa(values: z.infer<typeof schema>, issues: z.RefinementCtx) {
  if (!values.TSA_URL || !URL.canParse(values.TSA_URL)) return;
  const url = new URL(values.TSA_URL);
  if (url.protocol === "https:" && !url.username && !url.password) return;
  const loopbackHttp =
    url.protocol === "http:" &&
    LOOPBACK_HOSTS.has(url.hostname) &&
    values.TSA_ALLOW_LOOPBACK_HTTP &&
    values.NODE_ENV !== "production";
  if (loopbackHttp && !url.username && !url.password) return;
  issues.addIssue({
    code: "custom",
    path: ["TSA_URL"],
    message:
      url.username || url.password
        ? "must not carry a user name or password"
        : "must be an https:// URL (plain http only on a loopback address with TSA_ALLOW_LOOPBACK_HTTP, outside production)",
  });
}

/** XAPI_LRS_URL is https (or http on a loopback address), without credentials in it; the key and secret come together. */
function checkLrs(values: z.infer<typeof schema>, issues: z.RefinementCtx) {
  if (values.XAPI_LRS_USERNAME !== undefined && values.XAPI_LRS_PASSWORD === undefined)
    issues.addIssue({ code: "custom", path: ["XAPI_LRS_PASSWORD"], message: "must be set with XAPI_LRS_USERNAME" });
  if (!values.XAPI_LRS_URL || !URL.canParse(values.XAPI_LRS_URL)) return;
  const url = new URL(values.XAPI_LRS_URL);
  if (url.username || url.password)
    issues.addIssue({
      code: "custom",
      path: ["XAPI_LRS_URL"],
      message: "must not carry a user name or password: set XAPI_LRS_USERNAME and XAPI_LRS_PASSWORD",
    });
  else if (url.protocol !== "https:" && !LOOPBACK_HOSTS.has(url.hostname))
    issues.addIssue({
      code: "custom",
      path: ["XAPI_LRS_URL"],
      message: "must be an https:// URL (plain http only on a loopback address)",
    });
}

const checkedSchema = schema.superRefine((values, issues) => {
  checkTsa(values, issues);
  checkLrs(values, issues);
});

const publicSchema = schema.pick({ ORG_NAME: true, APP_URL: true, NEXTAUTH_URL: true });

const appUrlOf = (values: { APP_URL?: string; NEXTAUTH_URL?: string }) =>
  values.APP_URL ?? values.NEXTAUTH_URL ?? "http://localhost:3000";

export type Env = Omit<z.infer<typeof schema>, DevSecretName | "SEED_DEMO" | "APP_URL"> & {
  APP_URL: string;
  NEXTAUTH_SECRET: string;
  DATA_ENCRYPTION_KEY: string;
  AUDIT_CHAIN_KEY: string;
  SEED_DEMO: boolean;
  dataDir: string;
};

export class EnvError extends Error {}

let cached: Env | undefined;

/** Secrets required in production, and how development makes them. */
const DEV_SECRETS = {
  NEXTAUTH_SECRET: () => randomBytes(32).toString("base64url"),
  DATA_ENCRYPTION_KEY: () => randomBytes(32).toString("base64"),
  AUDIT_CHAIN_KEY: () => randomBytes(32).toString("base64"),
};
type DevSecretName = keyof typeof DEV_SECRETS;
const DEV_SECRET_NAMES = Object.keys(DEV_SECRETS) as DevSecretName[];

/** Development secrets are made once and kept under the data directory; one added later joins the file. */
function developmentSecrets(dataDir: string, level: LogLevel): Record<DevSecretName, string> {
  const file = path.join(dataDir, "dev-secrets.json");
  const known: Partial<Record<DevSecretName, string>> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const missing = DEV_SECRET_NAMES.filter((name) => !known[name]);
  if (missing.length === 0) return known as Record<DevSecretName, string>;
  const secrets = { ...known, ...Object.fromEntries(missing.map((name) => [name, DEV_SECRETS[name]()])) } as Record<
    DevSecretName,
    string
  >;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  warn(
    level,
    `${missing.join(", ")} not set: generated development values in ${file}. Set ${DEV_SECRET_NAMES.join(", ")} in production.`,
  );
  return secrets;
}

/** A warning about the configuration, on standard error (scripts print their results on standard output). */
function warn(level: LogLevel, message: string): void {
  createLogger({ level, destination: pino.destination({ dest: 2, sync: true }) }).warn(message);
}

function parsed<S extends z.ZodType>(against: S, source: Record<string, string | undefined>): z.infer<S> {
  // An empty variable means "not set", as most deployment tools write it.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = against.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

const validated = (source: Record<string, string | undefined>) => parsed(checkedSchema, source);

/**
 * What is wrong with the configuration, naming each variable, or null: the
 * check every process runs before it starts (lib/startup/fail-fast.ts). No
 * side effects: development secrets are not generated here.
 */
export function configurationError(source: Record<string, string | undefined>): string | null {
  try {
    const values = validated(source);
    const missing = [
      !values.NEXTAUTH_SECRET && "NEXTAUTH_SECRET",
      !values.DATA_ENCRYPTION_KEY && "DATA_ENCRYPTION_KEY",
    ].filter(Boolean);
    if (values.NODE_ENV === "production" && missing.length)
      return `Invalid configuration:\n${missing.map((m) => `  ${m}: required in production`).join("\n")}`;
    return null;
  } catch (error) {
    if (error instanceof EnvError) return error.message;
    throw error;
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const values = validated(source);
  const dataDir = path.resolve(values.DATA_DIR);
  const production = values.NODE_ENV === "production";
  const secrets: Partial<Record<DevSecretName, string>> = Object.fromEntries(
    DEV_SECRET_NAMES.map((name) => [name, values[name]]),
  );
  const unset = DEV_SECRET_NAMES.filter((name) => !secrets[name]);
  if (unset.length > 0) {
    if (production)
      throw new EnvError(`Invalid configuration:\n${unset.map((m) => `  ${m}: required in production`).join("\n")}`);
    const dev = developmentSecrets(dataDir, values.LOG_LEVEL);
    for (const name of unset) secrets[name] = dev[name];
  }
  const appUrl = appUrlOf(values);
  if (production && !appUrl.startsWith("https://")) {
    warn(
      values.LOG_LEVEL,
      "APP_URL is not https: session cookies are not marked Secure. Serve Clearance over HTTPS in production.",
    );
  }
  if (production && values.SIGNING_P12_PATH === undefined) {
    warn(
      values.LOG_LEVEL,
      "SIGNING_P12_PATH is not set: signed agreements are sealed with a self-signed development certificate.",
    );
  }
  return {
    ...values,
    APP_URL: appUrl,
    ...(secrets as Record<DevSecretName, string>),
    SEED_DEMO: values.SEED_DEMO ?? !production,
    dataDir,
  };
}

/**
 * next-auth reads NEXTAUTH_URL itself and warns on every sign-in without it, though Clearance knows its URL:
 * when it is unset, it becomes APP_URL (or the development default). Called once at start; logs nothing.
 */
export function defaultAuthUrl(source: Record<string, string | undefined> = process.env): void {
  if (!source.NEXTAUTH_URL) source.NEXTAUTH_URL = appUrlOf({ APP_URL: source.APP_URL || undefined });
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

/** What the statically built public pages need, validated like env() but without the secrets `next build` lacks. */
export function publicSettings(source: Record<string, string | undefined> = process.env): {
  ORG_NAME: string;
  APP_URL: string;
} {
  const values = parsed(publicSchema, source);
  return { ORG_NAME: values.ORG_NAME, APP_URL: appUrlOf(values) };
}
