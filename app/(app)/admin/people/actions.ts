"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { appRoles, personStatuses } from "@/db/schema";
import { action } from "@/lib/http/action";
import { setPersonRoles, setPersonStatus } from "@/lib/people/manage-people";

export const changeStatus = action(
  { schema: z.object({ personId: z.uuid(), status: z.enum(personStatuses) }), roles: ["compliance_admin"] },
  async ({ personId, status }, { viewer, audit }) => {
    await setPersonStatus(viewer, audit, personId, status);
    revalidatePath("/admin/people");
    return { message: `Status changed to ${status}.` };
  },
);

export const changeRoles = action(
  {
    schema: z.object({
      personId: z.uuid(),
      roles: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.enum(appRoles))),
    }),
    roles: ["compliance_admin"],
  },
  async ({ personId, roles }, { viewer, audit }) => {
    await setPersonRoles(viewer, audit, personId, roles);
    revalidatePath("/admin/people");
    return { message: "Roles saved." };
  },
);
