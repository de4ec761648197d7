import { describe, expect, it } from "vitest";

import { ScimError } from "@/lib/scim/errors";
import { parseFilter, parsePath } from "@/lib/scim/filter";
import { applyGroupPatch, applyUserPatch, groupFromResource, parsePatch } from "@/lib/scim/patch";
import { userFromResource, type ScimUserState } from "@/lib/scim/user-resource";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

describe("SCIM filters", () => {
  it.each([
    ['userName eq "Ana@Example.com"', [{ path: { attr: "username" }, value: "Ana@Example.com" }]],
    ['externalId eq "00u1"', [{ path: { attr: "externalid" }, value: "00u1" }]],
    [
      'emails[type eq "work"].value eq "a@b.example"',
      [{ path: { attr: "emails", filter: { attr: "type", value: "work" }, sub: "value" }, value: "a@b.example" }],
    ],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', [{ path: { attr: "username" }, value: "x" }]],
    ['displayName eq "Auditors"', [{ path: { attr: "displayname" }, value: "Auditors" }]],
    [
      'id eq "g1" and members[value eq "u1"]',
      [
        { path: { attr: "id" }, value: "g1" },
        { path: { attr: "members", sub: "value" }, value: "u1" },
      ],
    ],
    ['userName eq "quote\\"d"', [{ path: { attr: "username" }, value: 'quote"d' }]],
    ["active eq true", [{ path: { attr: "active" }, value: true }]],
  ])("parses %s", (filter, expected) => {
    expect(parseFilter(filter)).toEqual(expected.map((c) => ({ ...c, path: { sub: undefined, ...c.path } })));
  });

  it.each([
    'userName co "x"',
    'userName eq "x" or userName eq "y"',
    "userName eq",
    'userName eq "open',
    '"x" eq userName',
    "",
    'emails[type eq "work" eq "x"',
    "a".repeat(1001),
  ])("refuses %s as invalidFilter", (filter) => {
    expect(() => parseFilter(filter)).toThrow(expect.objectContaining({ status: 400, scimType: "invalidFilter" }));
  });
});

describe("SCIM paths", () => {
  it.each([
    ["title", { attr: "title" }],
    ["name.givenName", { attr: "name", sub: "givenname" }],
    ['emails[type eq "work"].value', { attr: "emails", filter: { attr: "type", value: "work" }, sub: "value" }],
    ['members[value eq "abc"]', { attr: "members", filter: { attr: "value", value: "abc" } }],
    [`${ENT}:department`, { attr: `${ENT.toLowerCase()}:department` }],
    [`${ENT}:manager`, { attr: `${ENT.toLowerCase()}:manager` }],
  ])("parses %s", (path, expected) => {
    expect(parsePath(path)).toMatchObject(expected);
  });

  it.each(["ti tle", 'emails[type eq "work"', "emails[]", "1abc", 'emails[type eq "work"]x'])(
    "refuses %s as invalidPath",
    (path) => {
      expect(() => parsePath(path)).toThrow(expect.objectContaining({ scimType: "invalidPath" }));
    },
  );
});

const ana: ScimUserState = userFromResource({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
  userName: "Ana.Silva@Example.com",
  externalId: "e-1",
  name: { givenName: "Ana", familyName: "Silva" },
  emails: [{ value: "ana.silva@example.com", type: "work", primary: true }],
  active: true,
  [ENT]: { department: "Customer Support", employeeNumber: "1001" },
});

const patch = (state: ScimUserState, ...operations: unknown[]) =>
  applyUserPatch(
    state,
    parsePatch({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: operations }),
  );

describe("SCIM user PATCH as identity providers send it", () => {
  it("reads a created user, lower-casing the user name", () => {
    expect(ana).toMatchObject({
      userName: "ana.silva@example.com",
      email: "ana.silva@example.com",
      givenName: "Ana",
      department: "Customer Support",
      employeeNumber: "1001",
      active: true,
    });
  });

  it.each([
    ["Entra: Replace active with a string", { op: "Replace", path: "active", value: "False" }, { active: false }],
    ["Okta: replace with a value object", { op: "replace", value: { active: false } }, { active: false }],
    [
      "Entra: no path, dotted keys",
      { op: "Replace", value: { "name.givenName": "Anna", displayName: "Anna S" } },
      { givenName: "Anna", displayName: "Anna S" },
    ],
    [
      "Entra: work email by filter",
      { op: "Replace", path: 'emails[type eq "work"].value', value: "anna@example.com" },
      { email: "anna@example.com" },
    ],
    [
      "Entra: department by extension path",
      { op: "Add", path: `${ENT}:department`, value: "Legal" },
      { department: "Legal" },
    ],
    ["Entra: manager as a bare id", { op: "Add", path: `${ENT}:manager`, value: "m-1" }, { managerId: "m-1" }],
    ["manager as an object", { op: "replace", path: `${ENT}:manager`, value: { value: "m-2" } }, { managerId: "m-2" }],
    ["remove the manager", { op: "Remove", path: `${ENT}:manager` }, { managerId: null }],
    ["remove externalId", { op: "remove", path: "externalId" }, { externalId: null }],
    [
      "enterprise object without path",
      { op: "replace", value: { [ENT]: { employeeNumber: "2002" } } },
      { employeeNumber: "2002" },
    ],
    ["ignored default attributes", { op: "Add", path: 'phoneNumbers[type eq "work"].value', value: "+1 555" }, {}],
    ["re-enable with True", { op: "Replace", path: "active", value: "True" }, { active: true }],
  ])("%s", (_label, operation, expected) => {
    expect(patch(ana, operation)).toEqual({ ...ana, ...expected });
  });

  it.each([
    ["unknown op", { op: "move", path: "title", value: "x" }, "invalidSyntax"],
    ["active not a boolean", { op: "replace", path: "active", value: "maybe" }, "invalidValue"],
    ["unknown attribute", { op: "replace", path: "favouriteColour", value: "red" }, "invalidPath"],
    ["remove without path", { op: "remove" }, "noTarget"],
    ["remove userName", { op: "remove", path: "userName" }, "mutability"],
    ["NUL in a value", { op: "replace", path: "title", value: "a\u0000b" }, "invalidValue"],
    ["a value that is not an object", { op: "replace", value: "x" }, "invalidValue"],
  ])("refuses %s", (_label, operation, scimType) => {
    expect(() => patch(ana, operation)).toThrow(expect.objectContaining({ scimType }));
  });

  it("changes nothing when any operation fails", () => {
    const before = structuredClone(ana);
    expect(() =>
      patch(ana, { op: "replace", path: "title", value: "Lead" }, { op: "replace", path: "nope", value: 1 }),
    ).toThrow(ScimError);
    expect(ana).toEqual(before);
  });
});

describe("SCIM group PATCH", () => {
  const group = groupFromResource({ displayName: "Auditors", members: [{ value: "a" }, { value: "b" }] });
  const gpatch = (...operations: unknown[]) => applyGroupPatch(group, parsePatch({ Operations: operations }));

  it.each([
    ["add members", { op: "Add", path: "members", value: [{ value: "c" }] }, ["a", "b", "c"]],
    ["Entra: remove members with a value list", { op: "Remove", path: "members", value: [{ value: "a" }] }, ["b"]],
    ["Okta: remove by filter", { op: "remove", path: 'members[value eq "b"]' }, ["a"]],
    ["replace members", { op: "replace", path: "members", value: [{ value: "z" }] }, ["z"]],
    ["remove all members", { op: "remove", path: "members" }, []],
    ["Okta: rename without path", { op: "replace", value: { id: "g", displayName: "Audit" } }, ["a", "b"]],
  ])("%s", (_label, operation, members) => {
    expect(gpatch(operation).members).toEqual(members);
  });

  it("refuses a group without a name", () => {
    expect(() => groupFromResource({ members: [] })).toThrow(expect.objectContaining({ scimType: "invalidValue" }));
  });
});
