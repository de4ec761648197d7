import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";
import type { z } from "zod";

import { GET } from "@/app/api/v1/openapi.json/route";
import * as api from "@/lib/access/api-schemas";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const API_DIR = path.resolve(import.meta.dirname, "../../app/api/v1");
const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** Every route file under app/api/v1 as its URL path and the HTTP methods it exports. */
/** The documented route trees: /api/v1, and AuthZEN's /access/v1 and metadata. */
const ROUTE_ROOTS: [dir: string, prefix: string][] = [
  [API_DIR, "/api/v1"],
  [path.join(API_DIR, "../../access/v1"), "/access/v1"],
  [path.join(API_DIR, "../../.well-known/authzen-configuration"), "/.well-known/authzen-configuration"],
];

function routeFiles(): { urlPath: string; methods: string[] }[] {
  return ROUTE_ROOTS.flatMap(([dir, prefix]) => routeFilesUnder(dir, prefix));
}

function routeFilesUnder(dir: string, prefix: string): { urlPath: string; methods: string[] }[] {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => path.basename(f) === "route.ts");
  return files.map((file) => {
    const source = readFileSync(path.join(dir, file), "utf8");
    const segments = path
      .dirname(file)
      .split(path.sep)
      .map((s) => s.replace(/^\[(.+)\]$/, "{$1}"));
    const methods = HTTP_METHODS.filter((m) =>
      new RegExp(`export (async )?function ${m}\\b|export const ${m}\\b`).test(source),
    );
    const rest = segments.filter((x) => x !== ".").join("/");
    return { urlPath: rest ? `${prefix}/${rest}` : prefix, methods };
  });
}

async function fetchDocument() {
  const response = GET();
  return { response, text: await response.text() };
}

function resolve(doc: Json, node: Json): Json {
  if (!node.$ref) return node;
  const target = (node.$ref as string)
    .replace(/^#\//, "")
    .split("/")
    .reduce((at: Json | undefined, key) => at?.[key], doc);
  if (!target) throw new Error(`Unresolved ${node.$ref}`);
  return target;
}

describe("OpenAPI document", () => {
  it("is cacheable JSON for OpenAPI 3.1 that documents every /api/v1 route and method", async () => {
    const { response, text } = await fetchDocument();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(response.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
    const doc = JSON.parse(text);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBeTruthy();

    const routes = routeFiles();
    expect(routes.map((r) => r.urlPath)).toContain("/api/v1/access/check");
    for (const route of routes) {
      expect(doc.paths, `no path for ${route.urlPath}`).toHaveProperty([route.urlPath]);
      expect(
        Object.keys(doc.paths[route.urlPath])
          .map((m) => m.toUpperCase())
          .sort(),
        route.urlPath,
      ).toEqual([...route.methods].sort());
    }
    // And nothing documented that does not exist.
    expect(Object.keys(doc.paths).sort()).toEqual(routes.map((r) => r.urlPath).sort());
  });

  it("takes the batch limits from the zod schemas", async () => {
    const doc = JSON.parse((await fetchDocument()).text);
    const batch = resolve(doc, doc.paths["/api/v1/access/check"].post.requestBody.content["application/json"].schema);
    expect(batch.properties.checks.maxItems).toBe(1000);
    expect(batch.properties.checks.minItems).toBe(1);
    expect(batch.properties.checks.items.properties.role.pattern).toBe("^[a-z0-9-]{1,100}$");
    const events = resolve(doc, doc.paths["/api/v1/events"].post.requestBody.content["application/json"].schema);
    expect(events.anyOf.map((s: Json) => resolve(doc, s).properties?.events?.maxItems).filter(Boolean)).toEqual([1000]);
    const check = doc.paths["/api/v1/access/check"].get.parameters;
    expect(check.map((p: Json) => [p.name, p.in, p.required])).toEqual([
      ["user", "query", true],
      ["role", "query", true],
      ["min_revision", "query", false],
    ]);
  });

  it("declares bearer auth with scopes and the error responses of every protected operation", async () => {
    const doc = JSON.parse((await fetchDocument()).text);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const scopes = new Set<string>();
    for (const [urlPath, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        const where = `${method.toUpperCase()} ${urlPath}`;
        expect(op.responses, where).toBeTruthy();
        const scope = op.security?.[0]?.bearerAuth?.[0];
        if (!scope) {
          expect(op.security, `${where} is public`).toEqual([]);
          continue;
        }
        scopes.add(scope);
        for (const status of ["400", "401", "403", "429"])
          expect(op.responses, `${where} ${status}`).toHaveProperty([status]);
        expect(op.responses["429"].headers["Retry-After"].schema.type).toBe("integer");
        const error = resolve(doc, op.responses["401"].content["application/json"].schema);
        expect(error.properties.error.required).toEqual(["code", "message"]);
      }
    }
    expect([...scopes].sort()).toEqual(["access:check", "access:read", "audit:read", "events:write"]);
    expect(doc.paths["/api/v1/events"].post.responses).toHaveProperty(["207"]);
    expect(doc.paths["/api/v1/verify"].post.responses).toHaveProperty(["415"]);
    expect(doc.paths["/api/v1/access/check"].post.responses).toHaveProperty(["413"]);
  });

  it("has examples that the API's own schemas accept, and only references that resolve", async () => {
    const { text } = await fetchDocument();
    const doc = JSON.parse(text);
    for (const match of text.matchAll(/"\$ref":"([^"]+)"/g))
      expect(() => resolve(doc, { $ref: match[1] }), match[1]).not.toThrow();

    const zodFor: Record<string, z.ZodType> = {
      Decision: api.decisionBody,
      BatchCheckRequest: api.batchCheckBody,
      BatchCheckResult: api.batchCheckResult,
      Holders: api.holdersBody,
      EventsRequest: api.eventsBody,
      EventsResult: api.eventsResult,
      Error: api.apiErrorBody,
      ValidationError: api.apiErrorBody,
    };
    let checked = 0;
    for (const item of Object.values<Json>(doc.paths)) {
      for (const op of Object.values<Json>(item)) {
        const media = [
          op.requestBody?.content?.["application/json"],
          ...Object.values<Json>(op.responses).map((r) => r.content?.["application/json"]),
        ].filter(Boolean);
        for (const m of media) {
          const schema = zodFor[(m.schema.$ref ?? "").split("/").pop()];
          if (!schema) continue;
          for (const [name, example] of Object.entries<Json>(m.examples ?? {})) {
            const result = schema.safeParse(example.value);
            expect(result.success, `${op.operationId} example ${name}: ${result.error?.message}`).toBe(true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
  });
});
