import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A learning record store on a loopback port, for tests. It takes
 * `PUT /statements?statementId=` as xAPI 1.0.3 says an LRS does: HTTP Basic
 * credentials, the version header, a statement whose id matches the query,
 * the same statement again answered 204 and a different one under a known
 * id answered 409. Every statement is checked against the specification's
 * rules (`statementProblems`) and refused with 400 when it breaks one.
 * `mode` makes it fail the next requests, to test retries.
 */
export type LrsStub = {
  url: string;
  username: string;
  password: string;
  /** Statements stored, by id. */
  stored: Map<string, Record<string, unknown>>;
  /** Every request, with the answer given and, for a 400, what was wrong. */
  requests: { method: string; path: string; status: number; problems: string[] }[];
  mode: (mode: "ok" | "unavailable" | "drop") => void;
  close: () => Promise<void>;
};

export async function startLrsStub(
  options: { port?: number; username?: string; password?: string } = {},
): Promise<LrsStub> {
  const username = options.username ?? "clearance-key";
  const password = options.password ?? "lrs-secret-for-tests";
  const stored = new Map<string, Record<string, unknown>>();
  const requests: LrsStub["requests"] = [];
  let mode: "ok" | "unavailable" | "drop" = "ok";

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://lrs.test");
    const answer = (status: number, problems: string[] = [], body = "") => {
      requests.push({ method: req.method ?? "", path: url.pathname, status, problems });
      res.writeHead(status, { "X-Experience-API-Version": "1.0.3", "Content-Type": "text/plain" }).end(body);
    };
    if (mode === "drop") {
      requests.push({ method: req.method ?? "", path: url.pathname, status: 0, problems: [] });
      req.socket.destroy();
      return;
    }
    if (mode === "unavailable") return answer(503, [], "down for maintenance");
    if (req.headers.authorization !== `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`)
      return answer(401);
    if (!/^1\.0(\.\d+)?$/.test(String(req.headers["x-experience-api-version"] ?? "")))
      return answer(400, ["X-Experience-API-Version header missing or not 1.0.x"]);
    if (url.pathname === "/xapi/statements" && req.method === "GET") return query(url, stored, requests, res);
    if (url.pathname === "/xapi/rejections" && req.method === "GET")
      return res
        .writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify(requests.filter((r) => r.status === 400)));
    if (url.pathname !== "/xapi/statements" || req.method !== "PUT") return answer(405);
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
      return answer(400, ["Content-Type is not application/json"]);
    const id = url.searchParams.get("statementId") ?? "";
    let statement: unknown;
    try {
      statement = JSON.parse(await bodyOf(req));
    } catch {
      return answer(400, ["body is not JSON"]);
    }
    const problems = statementProblems(statement);
    if (!UUID.test(id)) problems.push("statementId is not a UUID");
    if (isObject(statement) && statement.id !== undefined && statement.id !== id)
      problems.push("statement id differs from statementId");
    if (problems.length) return answer(400, problems);
    const known = stored.get(id);
    if (known && JSON.stringify(known) !== JSON.stringify(statement)) return answer(409);
    stored.set(id, statement as Record<string, unknown>);
    answer(204);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/xapi/`,
    username,
    password,
    stored,
    requests,
    mode: (next) => {
      mode = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * `GET statements`, as xAPI's statement resource answers it, with the filters
 * tests use: `statementId`, or `verb` and `agent` (an Agent as JSON, matched
 * by account or mbox). (The non-standard `GET rejections` lists the 400s.)
 */
function query(
  url: URL,
  stored: Map<string, Record<string, unknown>>,
  requests: LrsStub["requests"],
  res: ServerResponse,
) {
  requests.push({ method: "GET", path: url.pathname, status: 200, problems: [] });
  const json = (status: number, body: unknown) =>
    res
      .writeHead(status, { "Content-Type": "application/json", "X-Experience-API-Version": "1.0.3" })
      .end(JSON.stringify(body));
  const id = url.searchParams.get("statementId");
  if (id) return stored.has(id) ? json(200, stored.get(id)) : json(404, { error: "no such statement" });
  const verb = url.searchParams.get("verb");
  let agent: Record<string, unknown> | null = null;
  try {
    agent = url.searchParams.has("agent") ? JSON.parse(url.searchParams.get("agent")!) : null;
  } catch {
    return json(400, { error: "agent is not JSON" });
  }
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const statements = [...stored.values()].filter((s) => {
    const actor = s.actor as Record<string, unknown>;
    if (verb && (s.verb as { id: string }).id !== verb) return false;
    if (agent && !(same(actor.account, agent.account) && same(actor.mbox, agent.mbox))) return false;
    return true;
  });
  json(200, { statements, more: "" });
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

// --- The xAPI 1.0.3 rules an LRS applies to a statement (Data, section 2.4) ---

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** ISO 8601 date-time with a time zone, as timestamps are. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
/** ISO 8601 duration (section 4.6). */
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
/** An RFC 5646 language tag, loosely. */
const LANGUAGE = /^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
function isIri(v: unknown): boolean {
  return typeof v === "string" && /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(v) && URL.canParse(v);
}

export function statementProblems(statement: unknown): string[] {
  const problems: string[] = [];
  const at = (path: string, problem: string) => problems.push(`${path}: ${problem}`);
  if (!isObject(statement)) return ["statement is not a JSON object"];
  noNulls(statement, "statement", at);
  allowed(
    statement,
    "statement",
    ["id", "actor", "verb", "object", "result", "context", "timestamp", "version", "attachments"],
    at,
  );
  if (statement.id !== undefined && !(typeof statement.id === "string" && UUID.test(statement.id)))
    at("id", "not a UUID");
  agent(statement.actor, "actor", at);
  if (!isObject(statement.verb)) at("verb", "missing");
  else {
    allowed(statement.verb, "verb", ["id", "display"], at);
    if (!isIri(statement.verb.id)) at("verb.id", "not an IRI");
    if (statement.verb.display !== undefined) languageMap(statement.verb.display, "verb.display", at);
  }
  const objectIsActivity = isObject(statement.object) && (statement.object.objectType ?? "Activity") === "Activity";
  if (!isObject(statement.object)) at("object", "missing");
  else if (objectIsActivity) activity(statement.object, "object", at);
  else if (statement.object.objectType === "Agent") agent(statement.object, "object", at);
  else at("object.objectType", `unsupported here: ${String(statement.object.objectType)}`);
  if (statement.result !== undefined) result(statement.result, at);
  if (statement.context !== undefined) context(statement.context, objectIsActivity, at);
  if (
    statement.timestamp !== undefined &&
    !(typeof statement.timestamp === "string" && TIMESTAMP.test(statement.timestamp))
  )
    at("timestamp", "not an ISO 8601 timestamp with a time zone");
  if (statement.version !== undefined && !/^1\.0(\.\d+)?$/.test(String(statement.version))) at("version", "not 1.0.x");
  return problems;
}

type At = (path: string, problem: string) => void;

function allowed(value: Record<string, unknown>, path: string, keys: string[], at: At) {
  for (const key of Object.keys(value)) if (!keys.includes(key)) at(`${path}.${key}`, "not a property xAPI defines");
}

/** No property may be null, outside extensions. */
function noNulls(value: unknown, path: string, at: At) {
  if (value === null) return at(path, "null");
  if (Array.isArray(value)) return value.forEach((v, i) => noNulls(v, `${path}[${i}]`, at));
  if (!isObject(value)) return;
  for (const [key, v] of Object.entries(value)) if (key !== "extensions") noNulls(v, `${path}.${key}`, at);
}

function agent(value: unknown, path: string, at: At) {
  if (!isObject(value)) return at(path, "missing");
  allowed(value, path, ["objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"], at);
  if (value.objectType !== undefined && value.objectType !== "Agent") at(`${path}.objectType`, "not Agent");
  if (value.name !== undefined && typeof value.name !== "string") at(`${path}.name`, "not a string");
  const identifiers = ["mbox", "mbox_sha1sum", "openid", "account"].filter((k) => value[k] !== undefined);
  if (identifiers.length !== 1) at(path, `has ${identifiers.length} inverse functional identifiers, not exactly one`);
  if (value.mbox !== undefined && !(typeof value.mbox === "string" && /^mailto:[^@\s]+@[^@\s]+$/.test(value.mbox)))
    at(`${path}.mbox`, "not a mailto: IRI");
  if (value.account !== undefined) {
    if (!isObject(value.account)) return at(`${path}.account`, "not an object");
    allowed(value.account, `${path}.account`, ["homePage", "name"], at);
    if (!isIri(value.account.homePage)) at(`${path}.account.homePage`, "not an IRL");
    if (typeof value.account.name !== "string" || !value.account.name) at(`${path}.account.name`, "missing");
  }
}

function languageMap(value: unknown, path: string, at: At) {
  if (!isObject(value)) return at(path, "not a language map");
  for (const [tag, text] of Object.entries(value)) {
    if (!LANGUAGE.test(tag)) at(`${path}.${tag}`, "not an RFC 5646 language tag");
    if (typeof text !== "string") at(`${path}.${tag}`, "not a string");
  }
}

function extensions(value: unknown, path: string, at: At) {
  if (!isObject(value)) return at(path, "not an object");
  for (const key of Object.keys(value)) if (!isIri(key)) at(`${path}.${key}`, "extension key is not an IRI");
}

function activity(value: unknown, path: string, at: At) {
  if (!isObject(value)) return at(path, "not an activity");
  allowed(value, path, ["objectType", "id", "definition"], at);
  if (!isIri(value.id)) at(`${path}.id`, "not an IRI");
  if (value.definition === undefined) return;
  if (!isObject(value.definition)) return at(`${path}.definition`, "not an object");
  const d = value.definition;
  allowed(
    d,
    `${path}.definition`,
    [
      "name",
      "description",
      "type",
      "moreInfo",
      "extensions",
      "interactionType",
      "correctResponsesPattern",
      "choices",
      "scale",
      "source",
      "target",
      "steps",
    ],
    at,
  );
  if (d.name !== undefined) languageMap(d.name, `${path}.definition.name`, at);
  if (d.description !== undefined) languageMap(d.description, `${path}.definition.description`, at);
  if (d.type !== undefined && !isIri(d.type)) at(`${path}.definition.type`, "not an IRI");
  if (d.moreInfo !== undefined && !isIri(d.moreInfo)) at(`${path}.definition.moreInfo`, "not an IRL");
  if (d.extensions !== undefined) extensions(d.extensions, `${path}.definition.extensions`, at);
}

function result(value: unknown, at: At) {
  if (!isObject(value)) return at("result", "not an object");
  allowed(value, "result", ["score", "success", "completion", "response", "duration", "extensions"], at);
  if (value.success !== undefined && typeof value.success !== "boolean") at("result.success", "not a boolean");
  if (value.completion !== undefined && typeof value.completion !== "boolean") at("result.completion", "not a boolean");
  if (value.duration !== undefined && !(typeof value.duration === "string" && DURATION.test(value.duration)))
    at("result.duration", "not an ISO 8601 duration");
  if (value.extensions !== undefined) extensions(value.extensions, "result.extensions", at);
  if (value.score === undefined) return;
  if (!isObject(value.score)) return at("result.score", "not an object");
  const { scaled, raw, min, max } = value.score as Record<string, unknown>;
  allowed(value.score, "result.score", ["scaled", "raw", "min", "max"], at);
  for (const [k, v] of Object.entries({ scaled, raw, min, max }))
    if (v !== undefined && typeof v !== "number") at(`result.score.${k}`, "not a number");
  if (typeof scaled === "number" && (scaled < -1 || scaled > 1)) at("result.score.scaled", "outside -1..1");
  if (typeof min === "number" && typeof max === "number" && min >= max) at("result.score", "min is not below max");
  if (typeof raw === "number" && typeof min === "number" && raw < min) at("result.score.raw", "below min");
  if (typeof raw === "number" && typeof max === "number" && raw > max) at("result.score.raw", "above max");
}

function context(value: unknown, aboutActivity: boolean, at: At) {
  if (!isObject(value)) return at("context", "not an object");
  allowed(
    value,
    "context",
    [
      "registration",
      "instructor",
      "team",
      "contextActivities",
      "revision",
      "platform",
      "language",
      "statement",
      "extensions",
    ],
    at,
  );
  if (value.registration !== undefined && !(typeof value.registration === "string" && UUID.test(value.registration)))
    at("context.registration", "not a UUID");
  if (!aboutActivity && value.revision !== undefined)
    at("context.revision", "only allowed when the object is an activity");
  if (!aboutActivity && value.platform !== undefined)
    at("context.platform", "only allowed when the object is an activity");
  if (value.language !== undefined && !(typeof value.language === "string" && LANGUAGE.test(value.language)))
    at("context.language", "not an RFC 5646 language tag");
  if (value.extensions !== undefined) extensions(value.extensions, "context.extensions", at);
  if (value.contextActivities === undefined) return;
  if (!isObject(value.contextActivities)) return at("context.contextActivities", "not an object");
  for (const [kind, list] of Object.entries(value.contextActivities)) {
    if (!["parent", "grouping", "category", "other"].includes(kind))
      at(`context.contextActivities.${kind}`, "not a context activity kind");
    const items = Array.isArray(list) ? list : [list];
    items.forEach((item, i) => activity(item, `context.contextActivities.${kind}[${i}]`, at));
  }
}
