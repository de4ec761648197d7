/**
 * Reading the OpenAPI document for the reference page: resolving references,
 * flattening schemas into field rows and writing example curl commands.
 */

export type SchemaNode = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  contentMediaType?: string;
};
export type Media = { schema?: SchemaNode; example?: unknown; examples?: Record<string, { value: unknown }> };
export type Parameter = {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: SchemaNode;
  example?: string;
};
export type Response = {
  description: string;
  headers?: Record<string, { description: string }>;
  content?: Record<string, Media>;
};
export type Operation = {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, Response>;
};
export type OpenApiDoc = {
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, SchemaNode> };
};

export type Endpoint = { method: string; path: string; op: Operation };

export function endpoints(doc: OpenApiDoc): Endpoint[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

export function refName(node: SchemaNode | undefined): string | undefined {
  return node?.$ref?.split("/").pop();
}

export function resolve(doc: OpenApiDoc, node: SchemaNode): SchemaNode {
  const name = refName(node);
  return name ? (doc.components.schemas[name] ?? node) : node;
}

export function typeLabel(doc: OpenApiDoc, node: SchemaNode): string {
  const s = resolve(doc, node);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.map((a) => typeLabel(doc, a)).join(" or ");
  if (s.type === "array") return `${s.items ? typeLabel(doc, s.items) : "any"}[]`;
  if (Array.isArray(s.type)) return s.type.join(" or ");
  if (s.format) return `${s.type} (${s.format})`;
  return s.type ?? refName(node) ?? "any";
}

const n = (v: number) => v.toLocaleString("en-GB");

export function constraints(doc: OpenApiDoc, node: SchemaNode): string[] {
  const s = resolve(doc, node);
  const out: string[] = [];
  if (s.maxLength !== undefined) out.push(`${s.minLength ?? 0}–${n(s.maxLength)} characters`);
  else if (s.minLength !== undefined) out.push(`at least ${n(s.minLength)} characters`);
  if (s.minItems !== undefined || s.maxItems !== undefined)
    out.push(
      s.maxItems !== undefined ? `${n(s.minItems ?? 0)}–${n(s.maxItems)} items` : `at least ${n(s.minItems!)} items`,
    );
  if (s.pattern) out.push(`matches ${s.pattern}`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out;
}

export type FieldRow = { name: string; type: string; required: boolean; notes: string[]; description?: string };

/** One row per field, nested objects and arrays of objects written as `a.b` and `a[].b`. */
export function fieldRows(doc: OpenApiDoc, node: SchemaNode, prefix = "", depth = 0): FieldRow[] {
  const s = resolve(doc, node);
  if (!s.properties || depth > 3) return [];
  return Object.entries(s.properties).flatMap(([key, prop]) => {
    const resolved = resolve(doc, prop);
    const row: FieldRow = {
      name: `${prefix}${key}`,
      type: typeLabel(doc, prop),
      required: s.required?.includes(key) ?? false,
      notes: constraints(doc, prop),
      description:
        prop.description ??
        resolved.description ??
        (resolved.items ? resolve(doc, resolved.items).description : undefined),
    };
    const nested =
      resolved.type === "array" && resolved.items
        ? fieldRows(doc, resolved.items, `${prefix}${key}[].`, depth + 1)
        : fieldRows(doc, resolved, `${prefix}${key}.`, depth + 1);
    return [row, ...nested];
  });
}

/** The shapes a body may take: one, or each branch of an anyOf/oneOf. */
export function alternatives(doc: OpenApiDoc, node: SchemaNode): SchemaNode[] {
  const s = resolve(doc, node);
  return s.anyOf ?? s.oneOf ?? [node];
}

export function examplesOf(media: Media | undefined): [string, unknown][] {
  if (!media) return [];
  if (media.examples) return Object.entries(media.examples).map(([name, e]) => [name, e.value]);
  return media.example !== undefined ? [["example", media.example]] : [];
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A copy-pasteable curl command for an operation, from its examples. */
export function curlFor(baseUrl: string, { method, path, op }: Endpoint): string {
  const query = (op.parameters ?? []).filter((p) => p.in === "query" && p.required && p.example !== undefined);
  const qs = query.length
    ? `?${query.map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(p.example!)}`).join("&")}`
    : "";
  const lines = [`curl -sS${method === "GET" ? "" : ` -X ${method}`} ${quote(`${baseUrl}${path}${qs}`)}`];
  if (op.security.some((s) => s.bearerAuth)) lines.push(`-H "Authorization: Bearer $CLEARANCE_TOKEN"`);
  const content = op.requestBody?.content ?? {};
  const jsonBody = examplesOf(content["application/json"])[0];
  if (jsonBody) lines.push(`-H 'Content-Type: application/json'`, `-d ${quote(JSON.stringify(jsonBody[1]))}`);
  else if (content["application/pdf"])
    lines.push(`-H 'Content-Type: application/pdf'`, `--data-binary @signed-agreement.pdf`);
  return lines.join(" \\\n  ");
}
