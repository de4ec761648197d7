import { invalidPath, invalidSyntax, invalidValue, ScimError } from "./errors";
import { ENTERPRISE_URN, parsePath, type AttrPath } from "./filter";
import { setUserAttribute, setUserAttributes, type ScimUserState } from "./user-resource";
import { isObject, references, text } from "./values";

/**
 * PATCH (RFC 7644 §3.5.2) in the shapes Entra ID and Okta send: `op` in any
 * case, operations with and without `path`, `replace` with a value object,
 * booleans as "True"/"False". Pure: each applier takes the current state and
 * returns the next one, or throws a ScimError and changes nothing.
 */

export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const MAX_OPERATIONS = 1000;

export type PatchOperation = { op: "add" | "replace" | "remove"; path?: AttrPath; value?: unknown };

export function parsePatch(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw invalidSyntax("The body must be a PatchOp object.");
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0)
    throw invalidSyntax("Operations must be a non-empty array.");
  if (operations.length > MAX_OPERATIONS)
    throw new ScimError(400, `At most ${MAX_OPERATIONS} operations per request.`, "tooMany");
  return operations.map((raw, i): PatchOperation => {
    if (!isObject(raw)) throw invalidSyntax(`Operations[${i}] must be an object.`);
    const op = typeof raw.op === "string" ? raw.op.toLowerCase() : "";
    if (op !== "add" && op !== "replace" && op !== "remove")
      throw invalidSyntax(`Operations[${i}].op must be add, replace or remove.`);
    if (raw.path !== undefined && typeof raw.path !== "string")
      throw invalidPath(`Operations[${i}].path must be a string.`);
    const path = raw.path && raw.path.trim() ? parsePath(raw.path) : undefined;
    if (!path && op === "remove") throw new ScimError(400, "remove needs a path.", "noTarget");
    if (!path && op !== "remove" && !isObject(raw.value))
      throw invalidValue(`Operations[${i}].value must be an object when there is no path.`);
    return { op, path, value: raw.value };
  });
}

export function applyUserPatch(current: ScimUserState, operations: PatchOperation[]): ScimUserState {
  const next = { ...current };
  for (const operation of operations) {
    if (!operation.path) setUserAttributes(next, operation.value);
    else if (operation.op === "remove") removeUserAttribute(next, operation.path);
    else setUserAttribute(next, operation.path, operation.value);
  }
  return next;
}

function removeUserAttribute(state: ScimUserState, path: AttrPath) {
  if (path.attr === "username") throw new ScimError(400, "userName is required and cannot be removed.", "mutability");
  // active is never unset; removing it leaves it as it is.
  if (path.attr === "active") return;
  if (path.attr === ENTERPRISE_URN && !path.sub)
    return void Object.assign(state, { department: null, employeeNumber: null, managerId: null });
  // Clearing a single-valued attribute is setting it to null.
  setUserAttribute(state, path, null);
}

export type ScimGroupState = { displayName: string; externalId: string | null; members: string[] };

export function groupFromResource(body: unknown): ScimGroupState {
  if (!isObject(body)) throw invalidSyntax("The body must be a Group object.");
  const state: ScimGroupState = { displayName: "", externalId: null, members: [] };
  setGroupAttributes(state, body, "replace");
  if (!state.displayName) throw invalidValue("displayName is required.");
  return state;
}

function setGroupAttributes(state: ScimGroupState, value: Record<string, unknown>, op: "add" | "replace") {
  for (const [key, v] of Object.entries(value)) setGroupAttribute(state, parsePath(key), v, op);
}

function setGroupAttribute(state: ScimGroupState, path: AttrPath, value: unknown, op: "add" | "replace") {
  switch (path.attr) {
    case "displayname": {
      const name = text(value, "displayName");
      if (!name) throw invalidValue("displayName is required.");
      return void (state.displayName = name);
    }
    case "externalid":
      return void (state.externalId = text(value, "externalId"));
    case "members": {
      if (path.filter || path.sub) throw invalidPath('Add or replace members with path "members".');
      const ids = value === null ? [] : references(value, "members");
      state.members = Array.from(new Set(op === "add" ? [...state.members, ...ids] : ids));
      return;
    }
    case "id":
    case "meta":
    case "schemas":
      return;
    default:
      throw invalidPath(`${path.attr} is not an attribute of a Group.`);
  }
}

export function applyGroupPatch(current: ScimGroupState, operations: PatchOperation[]): ScimGroupState {
  const next = { ...current, members: [...current.members] };
  for (const { op, path, value } of operations) {
    if (!path) setGroupAttributes(next, value as Record<string, unknown>, op === "add" ? "add" : "replace");
    else if (op !== "remove") setGroupAttribute(next, path, value, op);
    else if (path.attr !== "members") throw new ScimError(400, `${path.attr} cannot be removed.`, "mutability");
    else if (path.filter) {
      // members[value eq "id"]
      if (path.filter.attr !== "value" || typeof path.filter.value !== "string")
        throw invalidPath('Remove members with members[value eq "id"].');
      const id = path.filter.value.toLowerCase();
      next.members = next.members.filter((m) => m.toLowerCase() !== id);
    } else if (value === undefined || value === null) next.members = [];
    else {
      // Entra ID: { op: "Remove", path: "members", value: [{ value: "id" }] }
      const gone = new Set(references(value, "members").map((m) => m.toLowerCase()));
      next.members = next.members.filter((m) => !gone.has(m.toLowerCase()));
    }
  }
  return next;
}
