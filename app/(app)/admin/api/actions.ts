"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { apiScopes, type ScimMappedRole } from "@/db/schema";
import { createApiClient, revokeApiClient } from "@/lib/access/api-clients";
import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";
import { addGroupMapping, removeGroupMapping } from "@/lib/scim/group-mappings";

const asList = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export type CreatedClient = { name: string; token: string };

const createSchema = z.object({
  name: z
    .string()
    .trim()
    .min(2, "Enter a name of at least 2 characters, such as the system that will use the token.")
    .max(100, "Keep the name under 100 characters."),
  scopes: z.preprocess(
    asList,
    z.array(z.enum(apiScopes, "Choose scopes from the list.")).min(1, "Choose at least one scope."),
  ),
  rateLimitPerMinute: z.coerce
    .number("Enter a number of requests per minute.")
    .int("Enter a whole number of requests per minute.")
    .min(1, "Allow at least 1 request per minute.")
    .max(100_000, "The limit can be at most 100,000 requests per minute."),
});

export const createClient = action<typeof createSchema, CreatedClient>(
  { permission: "action:admin/api.createClient", schema: createSchema },
  async (input, { viewer, audit }) => {
    const { token } = await createApiClient(viewer, audit, input);
    revalidatePath("/admin/api");
    return { message: `API client "${input.name}" created.`, data: { name: input.name, token } };
  },
);

export const revokeClient = action(
  { permission: "action:admin/api.revokeClient", schema: z.object({ id: uuidSchema() }) },
  async ({ id }, { viewer, audit }) => {
    await revokeApiClient(viewer, audit, id);
    revalidatePath("/admin/api");
    return { message: "Revoked. Requests with this token are now refused." };
  },
);

const mappingSchema = z.object({
  clientId: uuidSchema("Choose an API client with the scim scope."),
  groupName: z
    .string()
    .trim()
    .min(1, "Enter the group's name as the identity provider sends it.")
    .max(256, "Keep the group name under 256 characters.")
    .refine((v) => !v.includes("\u0000"), "Enter the group's name as the identity provider sends it."),
  target: z
    .string()
    .regex(/^(role:(manager|compliance_admin|auditor)|department:[^\u0000]{1,100})$/, "Choose a role or a department."),
});

export const mapScimGroup = action(
  { permission: "action:admin/api.mapScimGroup", schema: mappingSchema },
  async ({ clientId, groupName, target }, { viewer, audit }) => {
    const [kind, value] = [target.slice(0, target.indexOf(":")), target.slice(target.indexOf(":") + 1)];
    await addGroupMapping(viewer, audit, {
      clientId,
      groupName,
      target: kind === "role" ? { role: value as ScimMappedRole } : { departmentId: value },
    });
    revalidatePath("/admin/api");
    return { message: `Members of "${groupName}" are now mapped. It applies at the group's next membership change.` };
  },
);

export const unmapScimGroup = action(
  { permission: "action:admin/api.unmapScimGroup", schema: z.object({ id: uuidSchema() }) },
  async ({ id }, { viewer, audit }) => {
    await removeGroupMapping(viewer, audit, id);
    revalidatePath("/admin/api");
    return { message: "Mapping removed." };
  },
);
