import { isValidEmail, normaliseEmail } from "@/lib/people/person-fields";

import { invalidPath, invalidSyntax, invalidValue, ScimError } from "./errors";
import { CORE_USER_URN, ENTERPRISE_URN, parsePath, type AttrPath } from "./filter";
import { bool, isObject, reference, text } from "./values";

/** A person as SCIM sees them, before it is stored (lib/scim/users.ts) or after it is read. */
export type ScimUserState = {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  title: string | null;
  active: boolean;
  department: string | null;
  managerId: string | null;
  employeeNumber: string | null;
};

export const USER_SCHEMAS = [CORE_USER_URN.replace(":user", ":User"), ENTERPRISE_URN.replace(":user", ":User")];
const ENTERPRISE = USER_SCHEMAS[1];

/** Attributes identity providers send by default that Clearance does not keep: accepted and ignored, not refused. */
const IGNORED = new Set([
  "phonenumbers",
  "addresses",
  "nickname",
  "profileurl",
  "usertype",
  "preferredlanguage",
  "locale",
  "timezone",
  "photos",
  "ims",
  "x509certificates",
  "entitlements",
  "roles",
  "password",
  "groups",
]);
const IGNORED_ENTERPRISE = new Set(["organization", "division", "costcenter"]);
const IGNORED_NAME_PARTS = new Set(["middlename", "honorificprefix", "honorificsuffix"]);

export const EMPTY_USER: ScimUserState = {
  userName: "",
  externalId: null,
  displayName: null,
  givenName: null,
  familyName: null,
  email: null,
  title: null,
  active: true,
  department: null,
  managerId: null,
  employeeNumber: null,
};

/** The name people see: displayName, else the formatted or given + family name, else the user name. */
export function personName(state: ScimUserState): string {
  return state.displayName ?? ([state.givenName, state.familyName].filter(Boolean).join(" ") || state.userName);
}

function setName(state: ScimUserState, part: string | undefined, value: unknown) {
  if (part === undefined) {
    if (value === null) return void Object.assign(state, { givenName: null, familyName: null });
    if (!isObject(value)) throw invalidValue("name must be an object.");
    for (const [key, v] of Object.entries(value)) setName(state, key.toLowerCase(), v);
    return;
  }
  if (part === "givenname") state.givenName = text(value, "name.givenName");
  else if (part === "familyname") state.familyName = text(value, "name.familyName");
  else if (part === "formatted") state.displayName ??= text(value, "name.formatted");
  else if (!IGNORED_NAME_PARTS.has(part)) throw invalidPath(`name.${part} is not an attribute.`);
}

function setEmails(state: ScimUserState, path: AttrPath, value: unknown) {
  if (path.filter || path.sub) {
    // emails[type eq "work"].value, emails.value, or emails[type eq "work"] with { value }
    if (path.filter && path.filter.attr !== "type" && path.filter.attr !== "primary")
      throw invalidPath("Filter emails by type or primary.");
    if (path.sub && path.sub !== "value") return; // type, primary, display: nothing to keep
    state.email = text(isObject(value) ? value.value : value, "emails.value", 320);
    return;
  }
  if (value === null) return void (state.email = null);
  const list = (Array.isArray(value) ? value : [value]).filter(isObject);
  const chosen =
    list.find((e) => e.primary === true || e.primary === "True" || e.primary === "true") ??
    list.find((e) => e.type === "work") ??
    list[0];
  state.email = chosen ? text(chosen.value, "emails.value", 320) : null;
}

function setEnterprise(state: ScimUserState, attr: string, sub: string | undefined, value: unknown) {
  if (attr === "department") state.department = text(value, "department", 200);
  else if (attr === "employeenumber") state.employeeNumber = text(value, "employeeNumber", 100);
  else if (attr === "manager") state.managerId = sub && sub !== "value" ? state.managerId : reference(value, "manager");
  else if (!IGNORED_ENTERPRISE.has(attr)) throw invalidPath(`${ENTERPRISE}:${attr} is not an attribute.`);
}

/**
 * Sets one attribute (add and replace mean the same for Clearance's
 * single-valued attributes; `null` clears it). Unknown attributes are an
 * `invalidPath`; those identity providers send by default are ignored.
 */
export function setUserAttribute(state: ScimUserState, path: AttrPath, value: unknown): void {
  const { attr, sub } = path;
  if (attr.startsWith("urn:")) {
    if (attr === ENTERPRISE_URN && !sub) {
      if (!isObject(value)) throw invalidValue("The enterprise extension must be an object.");
      for (const [key, v] of Object.entries(value)) setEnterprise(state, key.toLowerCase(), undefined, v);
      return;
    }
    if (attr.startsWith(`${ENTERPRISE_URN}:`))
      return setEnterprise(state, attr.slice(ENTERPRISE_URN.length + 1), sub, value);
    throw invalidPath(`${attr} is not a schema Clearance knows.`);
  }
  if (IGNORED.has(attr)) return;
  switch (attr) {
    case "username": {
      const name = text(value, "userName", 320);
      if (!name) throw invalidValue("userName is required.");
      state.userName = name.toLowerCase();
      return;
    }
    case "externalid":
      return void (state.externalId = text(value, "externalId"));
    case "displayname":
      return void (state.displayName = text(value, "displayName"));
    case "title":
      return void (state.title = text(value, "title", 200));
    case "active":
      return void (state.active = bool(value, "active"));
    case "name":
      return setName(state, sub, value);
    case "emails":
      return setEmails(state, path, value);
    case "id":
    case "meta":
    case "schemas":
      return; // read-only; IdPs echo them back
    default:
      throw invalidPath(`${attr} is not an attribute of a User.`);
  }
}

/** Keys of a resource or of a path-less PATCH value: "name.givenName" and extension URNs included. */
export function setUserAttributes(state: ScimUserState, value: unknown): void {
  if (!isObject(value)) throw invalidSyntax("Expected a JSON object of attributes.");
  for (const [key, v] of Object.entries(value)) {
    if (key.toLowerCase() === ENTERPRISE_URN) setUserAttribute(state, { attr: ENTERPRISE_URN }, v);
    else setUserAttribute(state, parsePath(key), v);
  }
}

/** The state a POST or PUT body describes. */
export function userFromResource(body: unknown): ScimUserState {
  const state = { ...EMPTY_USER };
  setUserAttributes(state, body);
  return checkedUser(state);
}

/** A user that can be stored: a user name, and an email (the work email, else a user name shaped like one). */
export function checkedUser(state: ScimUserState): ScimUserState {
  if (!state.userName) throw invalidValue("userName is required.");
  const email = normaliseEmail(state.email ?? state.userName);
  if (!isValidEmail(email)) throw invalidValue("Send a work email, or a userName that is an email address.");
  return { ...state, email };
}

export type UserMeta = { id: string; created: Date; lastModified: Date; location: string };

export function userResource(state: ScimUserState, meta: UserMeta) {
  const enterprise = {
    ...(state.department ? { department: state.department } : {}),
    ...(state.employeeNumber ? { employeeNumber: state.employeeNumber } : {}),
    ...(state.managerId
      ? { manager: { value: state.managerId, $ref: meta.location.replace(/[^/]+$/, state.managerId) } }
      : {}),
  };
  return {
    schemas: Object.keys(enterprise).length ? USER_SCHEMAS : [USER_SCHEMAS[0]],
    id: meta.id,
    ...(state.externalId ? { externalId: state.externalId } : {}),
    userName: state.userName,
    name: {
      formatted: personName(state),
      ...(state.givenName ? { givenName: state.givenName } : {}),
      ...(state.familyName ? { familyName: state.familyName } : {}),
    },
    displayName: personName(state),
    ...(state.email ? { emails: [{ value: state.email, type: "work", primary: true }] } : {}),
    ...(state.title ? { title: state.title } : {}),
    active: state.active,
    ...(Object.keys(enterprise).length ? { [ENTERPRISE]: enterprise } : {}),
    meta: {
      resourceType: "User",
      created: meta.created.toISOString(),
      lastModified: meta.lastModified.toISOString(),
      location: meta.location,
    },
  };
}

export { ScimError };
