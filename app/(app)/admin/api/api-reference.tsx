import { Badge } from "@/components/ui/badge";
import { Table } from "@/components/ui/table";
import { renderMarkdown } from "@/lib/content/markdown";

import { CopyButton } from "./copy-button";
import {
  alternatives,
  curlFor,
  endpoints,
  examplesOf,
  fieldRows,
  refName,
  type Endpoint,
  type OpenApiDoc,
  type Operation,
  type SchemaNode,
} from "./openapi-view";

const methodTone = { GET: "success", POST: "info" } as const;

/** The API reference, rendered from the OpenAPI document so it always says what the API does. */
export function ApiReference({ doc, baseUrl }: { doc: OpenApiDoc; baseUrl: string }) {
  const all = endpoints(doc);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <p className="text-sm text-slate-600">
          {doc.info.title} {doc.info.version} at <code className="rounded bg-slate-100 px-1">{baseUrl}/api/v1</code>
        </p>
        <a href="/api/v1/openapi.json" className="text-sm font-medium text-brand-700 underline underline-offset-2">
          OpenAPI 3.1 document (JSON)
        </a>
      </div>

      <nav aria-label="Endpoints" className="rounded-xl border border-slate-200 bg-white px-5 py-4 shadow-sm">
        <ul className="grid gap-2 text-sm sm:grid-cols-2">
          {all.map((e) => (
            <li key={e.op.operationId}>
              <a href={`#${e.op.operationId}`} className="group inline-flex items-baseline gap-2">
                <span className="w-10 font-mono text-xs font-semibold text-slate-500">{e.method}</span>
                <span className="font-mono text-brand-700 group-hover:underline">{e.path}</span>
              </a>
            </li>
          ))}
          <li>
            <a href="#api-errors" className="text-brand-700 hover:underline">
              Error codes
            </a>
          </li>
        </ul>
      </nav>

      <div
        className="prose-content max-w-3xl rounded-xl border border-slate-200 bg-white px-5 py-2 shadow-sm"
        dangerouslySetInnerHTML={{ __html: renderMarkdown(doc.info.description) }}
      />

      {all.map((e) => (
        <OperationCard key={e.op.operationId} doc={doc} endpoint={e} baseUrl={baseUrl} />
      ))}

      <ErrorCodes doc={doc} />
    </div>
  );
}

function OperationCard({ doc, endpoint, baseUrl }: { doc: OpenApiDoc; endpoint: Endpoint; baseUrl: string }) {
  const { method, path, op } = endpoint;
  const scope = op.security.find((s) => s.bearerAuth)?.bearerAuth[0];
  const curl = curlFor(baseUrl, endpoint);
  const statuses = Object.keys(op.responses).sort();
  const success = statuses.filter((s) => s.startsWith("2"));
  const body = op.requestBody?.content;
  const jsonBody = body?.["application/json"];
  return (
    <article
      id={op.operationId}
      aria-labelledby={`${op.operationId}-title`}
      className="scroll-mt-6 rounded-xl border border-slate-200 bg-white shadow-sm"
    >
      <header className="border-b border-slate-100 px-5 py-4">
        <h2
          id={`${op.operationId}-title`}
          className="flex flex-wrap items-center gap-2 text-base font-semibold text-slate-900"
        >
          <Badge tone={methodTone[method as keyof typeof methodTone] ?? "neutral"}>{method}</Badge>
          <code className="font-mono">{path}</code>
        </h2>
        <p className="mt-1 text-sm text-slate-700">{op.summary}</p>
        <p className="mt-2 text-xs text-slate-600">
          {scope ? (
            <>
              Needs a token with the <code className="rounded bg-slate-100 px-1">{scope}</code> scope.
            </>
          ) : (
            "No token needed."
          )}
        </p>
      </header>
      <div className="grid gap-6 px-5 py-4 lg:grid-cols-2">
        <div className="min-w-0 space-y-5">
          {op.description && (
            <div
              className="text-sm leading-6 text-slate-700 [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1"
              dangerouslySetInnerHTML={{ __html: renderMarkdown(op.description) }}
            />
          )}
          {op.parameters && op.parameters.length > 0 && (
            <FieldTable
              caption="Query parameters"
              rows={op.parameters.map((p) => ({
                name: p.name,
                type: p.schema.enum
                  ? p.schema.enum.map((v) => JSON.stringify(v)).join(" | ")
                  : (p.schema.type as string),
                required: p.required,
                notes: [
                  p.schema.pattern && `matches ${p.schema.pattern}`,
                  p.schema.default !== undefined && `default ${JSON.stringify(p.schema.default)}`,
                ].filter(Boolean) as string[],
                description: p.description,
              }))}
            />
          )}
          {jsonBody?.schema &&
            alternatives(doc, jsonBody.schema).map((alt, i, list) => (
              <FieldTable
                key={i}
                caption={
                  list.length > 1
                    ? `Request body, form ${i + 1} of ${list.length}${refName(alt) ? ` (${refName(alt)})` : ""}`
                    : "Request body (JSON)"
                }
                rows={fieldRows(doc, alt)}
              />
            ))}
          {body && !jsonBody && (
            <p className="text-sm text-slate-700">
              Request body:{" "}
              {Object.keys(body).map((t, i) => (
                <span key={t}>
                  {i > 0 && " or "}
                  <code className="rounded bg-slate-100 px-1">{t}</code>
                </span>
              ))}
              .
            </p>
          )}
          {responseSchemas(op, success).map(({ statuses: list, schema }) => (
            <FieldTable
              key={list.join()}
              caption={`${list.join(" and ")} response body (${refName(schema)})`}
              rows={fieldRows(doc, schema)}
            />
          ))}
          <div>
            <h3 className="text-sm font-semibold text-slate-900">Responses</h3>
            <dl className="mt-2 space-y-1 text-sm">
              {statuses.map((status) => {
                const codes = examplesOf(op.responses[status].content?.["application/json"])
                  .map(([, v]) => (v as { error?: { code?: string } })?.error?.code)
                  .filter(Boolean);
                return (
                  <div key={status} className="flex gap-3">
                    <dt className="w-10 shrink-0 font-mono font-semibold text-slate-900">{status}</dt>
                    <dd className="text-slate-700">
                      <InlineCode text={op.responses[status].description} />
                      {codes.length > 0 && (
                        <span className="text-slate-600">
                          {" "}
                          Codes:{" "}
                          {codes.map((c, i) => (
                            <span key={c}>
                              {i > 0 && ", "}
                              <code className="rounded bg-slate-100 px-1">{c}</code>
                            </span>
                          ))}
                          .
                        </span>
                      )}
                      {op.responses[status].headers && (
                        <span className="text-slate-600">
                          {" "}
                          Headers: {Object.keys(op.responses[status].headers!).join(", ")}.
                        </span>
                      )}
                    </dd>
                  </div>
                );
              })}
            </dl>
          </div>
        </div>
        <div className="min-w-0 space-y-4">
          <CodeBlock title="Example request" code={curl} copyLabel={`Copy the curl command for ${method} ${path}`} />
          {jsonBody &&
            examplesOf(jsonBody)
              .slice(1)
              .map(([name, value]) => (
                <CodeBlock key={name} title={`Another request body (${name})`} code={JSON.stringify(value, null, 2)} />
              ))}
          {success.flatMap((status) =>
            Object.entries(op.responses[status].content ?? {}).flatMap(([type, media]) =>
              examplesOf(media).map(([name, value]) => (
                <CodeBlock
                  key={`${status}-${type}-${name}`}
                  title={`Example response: ${status}${examplesOf(media).length > 1 ? `, ${name}` : ""}${type !== "application/json" ? ` (${type})` : ""}`}
                  code={typeof value === "string" ? value : JSON.stringify(value, null, 2)}
                />
              )),
            ),
          )}
        </div>
      </div>
    </article>
  );
}

/** Success statuses grouped by the schema they answer with, so 201 and 207 share one table. */
function responseSchemas(op: Operation, statuses: string[]): { statuses: string[]; schema: SchemaNode }[] {
  const groups = new Map<string, { statuses: string[]; schema: SchemaNode }>();
  for (const status of statuses) {
    const schema = op.responses[status].content?.["application/json"]?.schema;
    const name = refName(schema);
    if (!schema || !name) continue;
    groups.set(name, { statuses: [...(groups.get(name)?.statuses ?? []), status], schema });
  }
  return [...groups.values()];
}

/** Descriptions in the document mark code with backticks. */
function InlineCode({ text }: { text: string }) {
  return (
    <>
      {text.split("`").map((part, i) =>
        i % 2 ? (
          <code key={i} className="rounded bg-slate-100 px-1">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}

function FieldTable({
  caption,
  rows,
}: {
  caption: string;
  rows: { name: string; type: string; required: boolean; notes: string[]; description?: string }[];
}) {
  if (rows.length === 0) return null;
  return (
    <Table
      caption={caption}
      columns={[
        {
          header: "Field",
          cell: (r) => (
            <>
              <code className="font-mono text-xs whitespace-nowrap text-slate-900">{r.name}</code>
              {r.required && <span className="block text-xs text-red-700">required</span>}
            </>
          ),
        },
        {
          header: "Type and meaning",
          cell: (r) => (
            <>
              <span className="font-mono text-xs text-slate-700">{r.type}</span>
              {r.notes.length > 0 && (
                <span className="block text-xs [overflow-wrap:anywhere] text-slate-600">{r.notes.join("; ")}</span>
              )}
              {r.description && (
                <span className="block text-slate-700">
                  <InlineCode text={r.description} />
                </span>
              )}
            </>
          ),
        },
      ]}
      rows={rows}
      rowKey={(r) => r.name}
      empty="No fields"
    />
  );
}

function CodeBlock({ title, code, copyLabel }: { title: string; code: string; copyLabel?: string }) {
  return (
    <figure>
      <figcaption className="mb-1 flex items-center justify-between gap-2 text-xs font-semibold text-slate-700">
        {title}
        {copyLabel && <CopyButton text={code} label="Copy" accessibleName={copyLabel} />}
      </figcaption>
      <pre className="rounded-lg bg-slate-900 p-3 font-mono text-xs leading-5 whitespace-pre-wrap text-slate-100 [overflow-wrap:anywhere]">
        <code>{code}</code>
      </pre>
    </figure>
  );
}

function ErrorCodes({ doc }: { doc: OpenApiDoc }) {
  const seen = new Map<string, { status: string; message: string; where: Set<string> }>();
  for (const { method, path, op } of endpoints(doc)) {
    for (const [status, response] of Object.entries(op.responses)) {
      for (const [, value] of examplesOf(response.content?.["application/json"])) {
        const error = (value as { error?: { code: string; message: string } }).error;
        if (!error || status.startsWith("2")) continue;
        const entry = seen.get(error.code) ?? { status, message: error.message, where: new Set<string>() };
        entry.where.add(`${method} ${path}`);
        seen.set(error.code, entry);
      }
    }
  }
  const rows = [...seen].sort(([, a], [, b]) => a.status.localeCompare(b.status));
  return (
    <section
      aria-labelledby="api-errors-title"
      id="api-errors"
      className="scroll-mt-6 rounded-xl border border-slate-200 bg-white px-5 py-4 shadow-sm"
    >
      <h2 id="api-errors-title" className="text-base font-semibold text-slate-900">
        Error codes
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Every error is <code className="rounded bg-slate-100 px-1">{'{"error": {"code", "message"}}'}</code> with the
        HTTP status below. Branch on the code; show the message to people.
      </p>
      <div className="mt-3">
        <Table
          caption="Error codes"
          hideCaption
          columns={[
            { header: "Status", className: "font-mono", cell: ([, e]) => e.status },
            { header: "Code", cell: ([code]) => <code className="font-mono text-slate-900">{code}</code> },
            { header: "Example message", className: "text-slate-700", cell: ([, e]) => e.message },
            {
              header: "Returned by",
              className: "text-xs text-slate-600",
              cell: ([, e]) =>
                [...e.where].map((w, i) => (
                  <span key={w} className="whitespace-nowrap">
                    {i > 0 && ", "}
                    {w}
                  </span>
                )),
            },
          ]}
          rows={rows}
          rowKey={([code]) => code}
          empty="No error codes"
        />
      </div>
    </section>
  );
}
