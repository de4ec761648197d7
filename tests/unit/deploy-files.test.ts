import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { describe, expect, it, vi } from "vitest";
import { isAlias, isMap, isPair, isScalar, parse, parseDocument, type YAMLMap } from "yaml";

/**
 * The deployment files, checked by reading them (no container runtime on the
 * build machines): compose.yaml's topology, the Dockerfile's conventions,
 * the proxy's configuration and next.config.ts's standalone switch.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

// ---------------------------------------------------------------- compose.yaml

type Service = {
  image?: string;
  build?: { context: string; target: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  volumes?: string[];
  ports?: string[];
  secrets?: string[];
  restart?: string;
  stop_grace_period?: string;
};
type Compose = {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file: string }>;
};

const composeText = read("compose.yaml");
const compose = parse(composeText, { merge: true }) as Compose;
const services = compose.services;

const SECRET_NAME = /SECRET|KEY|PASSWORD|PASSPHRASE|TOKEN/i;
// A value that only refers to the environment (${NAME}, ${NAME:-}, ${NAME:?message}) or to a mounted secret file.
const REFERENCE = /^\$\{[A-Z0-9_]+(?::?[-?][^}]*)?\}$/;
const MOUNTED_SECRET = /^\/run\/secrets\/[a-z0-9_]+$/;

/** The variables lib/env.ts declares in its schema (each `  NAME: z…` line). */
const declaredSettings = new Set([...read("lib/env.ts").matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]));

const seconds = (value: string | undefined) => {
  const m = /^(\d+)s$/.exec(value ?? "");
  return m ? Number(m[1]) : NaN;
};

describe("compose.yaml", () => {
  it("runs PostgreSQL, a one-shot migration, two app instances, a worker, a mail catcher and a proxy", () => {
    expect(Object.keys(services).sort()).toEqual(["app1", "app2", "mailpit", "migrate", "postgres", "proxy", "worker"]);
    expect(services.app1.build?.target).toBe("app");
    expect(services.worker.build?.target).toBe("worker");
    expect(services.migrate.build?.target).toBe("worker");
  });

  it("keeps PostgreSQL's data on a volume and reports its health", () => {
    const { postgres } = services;
    expect(postgres.image).toMatch(/^postgres:\d+/);
    const [volume] = postgres.volumes ?? [];
    expect(volume).toMatch(/^[a-z-]+:\/var\/lib\/postgresql\/data$/);
    expect(compose.volumes).toHaveProperty(volume.split(":")[0]);
    expect(JSON.stringify(postgres.healthcheck?.test)).toContain("pg_isready");
  });

  it("migrates once, after PostgreSQL is healthy, before any app instance or worker starts", () => {
    const { migrate } = services;
    expect(migrate.command?.join(" ")).toBe("npm run db:migrate");
    expect(migrate.restart).toBe("no");
    expect(migrate.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    for (const name of ["app1", "app2", "worker"])
      expect(services[name].depends_on?.migrate, name).toEqual({ condition: "service_completed_successfully" });
  });

  it("defines both app instances from one anchor, with the shared settings merged into it", () => {
    const document = parseDocument(composeText);
    const serviceNodes = document.get("services") as unknown as YAMLMap;
    for (const name of ["app1", "app2"]) {
      const node: unknown = serviceNodes.get(name, true);
      if (!isMap(node)) throw new Error(`${name} is not a mapping`);
      const items = node.items;
      // Nothing of their own: the whole service is the `app` anchor.
      expect(items, name).toHaveLength(1);
      const [merge] = items;
      expect(isPair(merge) && isScalar(merge.key) && merge.key.value).toBe("<<");
      expect(isAlias(merge.value) && merge.value.source).toBe("app");
    }
    expect(services.app1).toEqual(services.app2);
    // The app, the worker and the migration all read the shared block.
    const sharedAnchor = /^x-shared-settings: &shared-settings$/m;
    expect(composeText).toMatch(sharedAnchor);
    expect(composeText.match(/<<: \*shared-settings/g)).toHaveLength(2); // x-app and x-worker
  });

  it("gives the app, the worker and the migration the same values for every shared setting", () => {
    const shared = [
      "DATABASE_URL",
      "APP_URL",
      "NEXTAUTH_URL",
      "NEXTAUTH_SECRET",
      "DATA_ENCRYPTION_KEY",
      "DATA_ENCRYPTION_OLD_KEYS",
      "AUDIT_CHAIN_KEY",
      "AUDIT_CHAIN_OLD_KEYS",
      "SIGNING_P12_PATH",
      "SIGNING_P12_PASSPHRASE",
      "ORG_NAME",
      "ORG_JURISDICTION",
      "TSA_URL",
      "SMTP_URL",
    ];
    const app = services.app1.environment!;
    for (const name of ["app2", "worker", "migrate"])
      for (const key of shared) expect(services[name].environment?.[key], `${name} ${key}`).toBe(app[key]);
    for (const key of shared) expect(app[key], key).toBeDefined();
    expect(app.NODE_ENV).toBe("production");
    // The worker runs the scheduled work; the app instances do not.
    expect(app.SCHEDULER).toBe("off");
    expect(app.SEED_DEMO).toBe("false");
    // The sealing certificate is one file mounted into every container that seals.
    expect(compose.secrets?.signing_p12.file).toMatch(/^\$\{SIGNING_P12_FILE:-/);
    for (const name of ["app1", "app2", "worker", "migrate"]) expect(services[name].secrets).toEqual(["signing_p12"]);
  });

  it("writes no secret into the file: every key, password and secret is a reference to the environment", () => {
    const checked: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        const text = String(value);
        if (SECRET_NAME.test(key)) {
          checked.push(`${name}.${key}`);
          expect(REFERENCE.test(text) || MOUNTED_SECRET.test(text), `${name}.${key} = ${text}`).toBe(true);
        }
        // A URL's password (postgres://user:PASSWORD@host) is a reference too.
        const password = /^[a-z]+:\/\/[^:/@]+:([^@]+)@/.exec(text)?.[1];
        if (password) expect(password, `${name}.${key}`).toMatch(REFERENCE);
      }
    }
    expect(checked).toContain("app1.NEXTAUTH_SECRET");
    expect(checked).toContain("postgres.POSTGRES_PASSWORD");
    // Nothing that looks like a base64 key or a long random token anywhere in the file.
    expect(composeText).not.toMatch(/[A-Za-z0-9+/]{32,}={0,2}/);
  });

  it("names only settings lib/env.ts knows, so a misspelt one cannot pass unnoticed", () => {
    for (const name of ["app1", "worker", "migrate"])
      for (const key of Object.keys(services[name].environment ?? {}))
        expect(declaredSettings.has(key), `${name}: ${key} is not in lib/env.ts`).toBe(true);
  });

  it("puts the app instances behind the proxy, which trusts one hop and waits for both to be healthy", () => {
    for (const name of ["app1", "app2"]) {
      const app = services[name];
      expect(app.environment?.TRUST_PROXY).toBe("1");
      expect(app.ports, `${name} is reached through the proxy only`).toBeUndefined();
      expect(JSON.stringify(app.healthcheck?.test)).toContain("/api/health/live");
      // Docker waits for the drain (delay + timeout) before it kills an instance.
      const drain = Number(app.environment?.SHUTDOWN_DELAY_SECONDS) + Number(app.environment?.SHUTDOWN_TIMEOUT_SECONDS);
      expect(seconds(app.stop_grace_period)).toBeGreaterThan(drain);
    }
    expect(seconds(services.worker.stop_grace_period)).toBeGreaterThan(
      Number(services.worker.environment?.SHUTDOWN_TIMEOUT_SECONDS),
    );
    const { proxy } = services;
    expect(proxy.depends_on).toEqual({
      app1: { condition: "service_healthy" },
      app2: { condition: "service_healthy" },
    });
    expect(proxy.healthcheck).toBeDefined();
    expect(proxy.volumes).toContain("./deploy/Caddyfile:/etc/caddy/Caddyfile:ro");
  });

  it("sends mail to Mailpit over SMTP_URL", () => {
    expect(services.mailpit.image).toMatch(/^axllent\/mailpit:/);
    expect(services.app1.environment?.SMTP_URL).toBe("smtp://mailpit:1025");
  });
});

describe("deploy/Caddyfile", () => {
  const caddyfile = read("deploy/Caddyfile");

  it("round-robins over both app instances and takes a not-ready instance out", () => {
    expect(caddyfile).toMatch(/reverse_proxy app1:3000 app2:3000 \{/);
    expect(caddyfile).toMatch(/^\s*lb_policy round_robin$/m);
    expect(caddyfile).toMatch(/^\s*health_uri \/api\/health\/ready$/m);
    expect(caddyfile).toMatch(/^\s*lb_try_duration \d+s$/m);
  });
});

// ---------------------------------------------------------------- Dockerfile

type Instruction = { stage: string; keyword: string; args: string; line: number };

/** The Dockerfile as instructions (continuation lines joined, comments and parser directives dropped), each with its stage. */
function dockerfileInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = "";
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) return;
    if (!pending) start = index + 1;
    pending += (pending ? " " : "") + line.replace(/\\$/, "").trim();
    if (line.endsWith("\\")) return;
    const [keyword, ...rest] = pending.split(/\s+/);
    const args = rest.join(" ");
    if (keyword.toUpperCase() === "FROM") stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `#${instructions.length}`;
    instructions.push({ stage, keyword: keyword.toUpperCase(), args, line: start });
    pending = "";
  });
  return instructions;
}

/** Names (and values) an ENV or ARG instruction sets: `A=1 B=2`, `A 1`, or a bare ARG name. */
function variables(instruction: Instruction): [string, string | undefined][] {
  if (instruction.keyword === "ENV" && !instruction.args.includes("="))
    return [[instruction.args.split(/\s+/)[0], instruction.args.split(/\s+/).slice(1).join(" ")]];
  return [...instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("[^"]*"|\S*))?/g)].map((m) => [m[1], m[2]]);
}

const dockerfile = dockerfileInstructions(read("Dockerfile"));
const stages = [...new Set(dockerfile.filter((i) => i.keyword === "FROM").map((i) => i.stage))];
const inStage = (stage: string) => dockerfile.filter((i) => i.stage === stage && i.keyword !== "FROM");
const finalStage = stages.at(-1)!;

describe("Dockerfile", () => {
  it("parses: every line is an instruction Docker knows", () => {
    const known = new Set(
      "FROM RUN CMD LABEL EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD STOPSIGNAL HEALTHCHECK SHELL".split(
        " ",
      ),
    );
    // ARG before the first FROM (the base image) has no stage yet.
    for (const i of dockerfile) expect(known.has(i.keyword), `line ${i.line}: ${i.keyword}`).toBe(true);
  });

  it("builds in stages: dependencies with npm ci, next build with standalone output, then runtime stages", () => {
    expect(stages).toEqual(["deps", "build", "worker", "app"]);
    expect(finalStage).toBe("app");
    expect(inStage("deps").some((i) => i.keyword === "RUN" && /\bnpm ci\b/.test(i.args))).toBe(true);
    const build = inStage("build");
    expect(build.flatMap(variables)).toContainEqual(["NEXT_OUTPUT", "standalone"]);
    expect(build.some((i) => i.keyword === "RUN" && /npm run build|next build/.test(i.args))).toBe(true);
    for (const stage of stages)
      expect(
        dockerfile.find((i) => i.stage === stage && i.keyword === "FROM")!.args,
        `${stage} starts from the slim Node 20 image`,
      ).toMatch(/^\$\{NODE_IMAGE\}|^node:20[-.a-z0-9]*slim/);
    const base = dockerfile.find((i) => i.keyword === "ARG" && i.args.startsWith("NODE_IMAGE="));
    expect(base?.args).toMatch(/^NODE_IMAGE=node:20(-bookworm)?-slim$/);
  });

  it("runs the app and the worker as a user other than root", () => {
    for (const stage of ["app", "worker"]) {
      const users = inStage(stage).filter((i) => i.keyword === "USER");
      expect(users.length, stage).toBeGreaterThan(0);
      expect(users.at(-1)!.args, stage).not.toMatch(/^(root|0)(:|$)/);
      // Nothing runs after the switch as root again.
      const after = inStage(stage).slice(inStage(stage).indexOf(users.at(-1)!));
      expect(
        after.filter((i) => i.keyword === "RUN"),
        stage,
      ).toEqual([]);
    }
  });

  it("serves the standalone build: copied from the build stage, with the files read at run time", () => {
    const copies = inStage("app").filter((i) => i.keyword === "COPY");
    const fromBuild = copies.filter((i) => /--from=build\b/.test(i.args)).map((i) => i.args);
    expect(fromBuild.some((a) => /\/app\/\.next\/standalone \.\/$/.test(a))).toBe(true);
    expect(fromBuild.some((a) => /\/app\/\.next\/static \.\/\.next\/static$/.test(a))).toBe(true);
    expect(fromBuild.some((a) => /\/app\/public \.\/public$/.test(a))).toBe(true);
    expect(
      copies.every((i) => /--from=/.test(i.args)),
      "the runtime takes nothing from the build context",
    ).toBe(true);
    // Every directory lib/ and db/ read under process.cwd() is in the image at the same place.
    const runtimeDirs = runtimeReadDirectories();
    expect(runtimeDirs.sort()).toEqual(["assets/fonts", "content", "db/migrations"]);
    for (const dir of runtimeDirs)
      expect(
        fromBuild.some((a) => a.endsWith(`/app/${dir} ./${dir}`)),
        `COPY ${dir}`,
      ).toBe(true);
    const cmd = inStage("app")
      .filter((i) => i.keyword === "CMD")
      .at(-1);
    expect(cmd?.args).toBe('["node", "server.js"]');
  });

  it("checks liveness, exposes its port and turns telemetry off", () => {
    const app = inStage("app");
    const healthcheck = app.find((i) => i.keyword === "HEALTHCHECK");
    expect(healthcheck?.args).toMatch(/\/api\/health\/live/);
    expect(app.find((i) => i.keyword === "EXPOSE")?.args).toBe("3000");
    const env = new Map(app.filter((i) => i.keyword === "ENV").flatMap(variables));
    expect(env.get("NEXT_TELEMETRY_DISABLED")).toBe("1");
    expect(env.get("NODE_ENV")).toBe("production");
    // The app, not Next.js, handles SIGTERM: readiness 503, drain, exit 0.
    expect(env.get("NEXT_MANUAL_SIG_HANDLE")).toBe("true");
    for (const stage of ["deps", "build"])
      expect(
        new Map(
          inStage(stage)
            .filter((i) => i.keyword === "ENV")
            .flatMap(variables),
        ).get("NEXT_TELEMETRY_DISABLED"),
      ).toBe("1");
  });

  it("can run the worker and the migrations from its worker target", () => {
    const worker = inStage("worker");
    expect(worker.some((i) => i.keyword === "COPY" && /--from=deps .*\/app\/node_modules/.test(i.args))).toBe(true);
    expect(worker.find((i) => i.keyword === "CMD")?.args).toContain("scripts/worker.ts");
    const pkg = JSON.parse(read("package.json")) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    // npm run db:migrate and the worker need tsx, a dev dependency: the worker target keeps the full tree from npm ci.
    expect(pkg.scripts["db:migrate"]).toMatch(/^tsx /);
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(inStage("deps").find((i) => i.keyword === "RUN")?.args).not.toMatch(/--omit=dev|--production/);
  });

  it("carries no secret: no ARG or ENV named like one, no secret files copied", () => {
    for (const i of dockerfile.filter((d) => d.keyword === "ARG" || d.keyword === "ENV"))
      for (const [name] of variables(i)) expect(SECRET_NAME.test(name), `line ${i.line}: ${name}`).toBe(false);
    for (const i of dockerfile.filter((d) => d.keyword === "COPY" || d.keyword === "ADD"))
      expect(i.args, `line ${i.line}`).not.toMatch(/\.env\b|\.p12\b|\.pem\b|dev-secrets/);
    const ignored = read(".dockerignore").split("\n");
    for (const entry of ["node_modules", ".env", ".env.*", ".data", ".data-*", ".git", "*.p12", "deploy/secrets"])
      expect(ignored, entry).toContain(entry);
  });
});

/** Directories lib/ and db/ open relative to process.cwd() (`path.join(process.cwd(), "a", "b")`). */
function runtimeReadDirectories(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(name))
        for (const m of readFileSync(full, "utf8").matchAll(/path\.join\(process\.cwd\(\),((?:\s*"[^"]+",?)+)\)/g))
          found.add([...m[1].matchAll(/"([^"]+)"/g)].map((p) => p[1]).join("/"));
    }
  };
  walk(path.join(ROOT, "lib"));
  walk(path.join(ROOT, "db"));
  return [...found];
}

// ---------------------------------------------------------------- next.config.ts

describe("next.config.ts", () => {
  it("builds standalone output only when NEXT_OUTPUT=standalone, so next start keeps working", async () => {
    vi.resetModules();
    vi.stubEnv("NEXT_OUTPUT", "");
    expect((await import("@/next.config")).default.output).toBeUndefined();
    vi.resetModules();
    vi.stubEnv("NEXT_OUTPUT", "standalone");
    expect((await import("@/next.config")).default.output).toBe("standalone");
    vi.unstubAllEnvs();
  });
});
