"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { z } from "zod";

import { appRoles, personStatuses } from "@/db/schema";
import { annulCertification as annul, annulRequestSchema } from "@/lib/certification/annul";
import { action, type ActionState } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";
import { cancelImportJob as cancelJob, requestApply, runImportJobs } from "@/lib/people/import-jobs";
import { setPersonRoles, setPersonStatus } from "@/lib/people/manage-people";
import {
  createPerson,
  PersonFieldError,
  personFormSchema,
  resendInvitation,
  updatePerson,
} from "@/lib/people/person-editor";

export const changeStatus = action(
  {
    permission: "action:admin/people.changeStatus",
    schema: z.object({ personId: uuidSchema(), status: z.enum(personStatuses) }),
  },
  async ({ personId, status }, { viewer, audit }) => {
    await setPersonStatus(viewer, audit, personId, status);
    revalidatePath("/admin/people");
    return { message: `Status changed to ${status}.` };
  },
);

/** Annuls a certification (found improper, or issued in error): it ends now, and the holder is told. */
export const annulCertification = action(
  { permission: "action:admin/people.annulCertification", schema: annulRequestSchema },
  async (input, { viewer, audit }) => {
    const { holder, courseTitle } = await annul(viewer, audit, input);
    revalidatePath("/admin/people");
    return { message: `${holder}'s certification in ${courseTitle} is annulled. They have been told by email.` };
  },
);

export const changeRoles = action(
  {
    permission: "action:admin/people.changeRoles",
    schema: z.object({
      personId: uuidSchema(),
      roles: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.enum(appRoles))),
    }),
  },
  async ({ personId, roles }, { viewer, audit }) => {
    await setPersonRoles(viewer, audit, personId, roles);
    revalidatePath("/admin/people");
    return { message: "Roles saved." };
  },
);

// The shared action wrapper reports a DomainError as one message; a PersonFieldError is passed
// through as a value and turned back into field messages here, so each shows beside its field.
type FieldFailure = { fieldFailure: Record<string, string[]> };
const isFieldFailure = (data: unknown): data is FieldFailure =>
  typeof data === "object" && data !== null && "fieldFailure" in data;

function withFieldErrors(run: (previous: ActionState, formData: FormData) => Promise<ActionState>) {
  return async (previous: ActionState, formData: FormData): Promise<ActionState> => {
    const state = await run(previous, formData);
    if (state?.ok && isFieldFailure(state.data))
      return { ok: false, error: "Please correct the highlighted fields.", fieldErrors: state.data.fieldFailure };
    return state;
  };
}

async function catchFieldErrors<T>(work: () => Promise<T>): Promise<T | { data: FieldFailure; message: string }> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PersonFieldError) return { data: { fieldFailure: error.fieldErrors }, message: "" };
    throw error;
  }
}

export const addPerson = withFieldErrors(
  action<typeof personFormSchema, unknown>(
    { permission: "action:admin/people.addPerson", schema: personFormSchema },
    async (input, { viewer, audit }) =>
      catchFieldErrors(async () => {
        const { id } = await createPerson(viewer, audit, input);
        revalidatePath("/admin/people");
        redirect(`/admin/people/${id}?added=1`);
      }),
  ),
);

const savePersonSchema = personFormSchema.extend({ personId: uuidSchema() });

export const savePerson = withFieldErrors(
  action<typeof savePersonSchema, unknown>(
    { permission: "action:admin/people.savePerson", schema: savePersonSchema },
    async ({ personId, ...input }, { viewer, audit }) =>
      catchFieldErrors(async () => {
        const { changed } = await updatePerson(viewer, audit, personId, input);
        revalidatePath("/admin/people");
        revalidatePath(`/admin/people/${personId}`);
        return {
          message:
            changed.length === 0 ? "Nothing changed." : `Saved: ${changed.map((f) => f.replace("_", " ")).join(", ")}.`,
          data: { changed },
        };
      }),
  ),
);

export const sendInvitationAgain = action(
  { permission: "action:admin/people.sendInvitationAgain", schema: z.object({ personId: uuidSchema() }) },
  async ({ personId }, { viewer, audit }) => {
    const { email } = await resendInvitation(viewer, audit, personId);
    revalidatePath(`/admin/people/${personId}`);
    return { message: `A new invitation was emailed to ${email}. Earlier links no longer work.` };
  },
);

/** Starts applying a validated import in the background; one of any number of clicks wins. */
export const applyImportJob = action(
  { permission: "action:admin/people.applyImportJob", schema: z.object({ jobId: uuidSchema() }) },
  async ({ jobId }, { viewer }) => {
    await requestApply(viewer, jobId);
    // Started now rather than on the next scheduler run; any instance's runner may take it (SKIP LOCKED).
    after(() => runImportJobs().then(() => undefined));
    revalidatePath(`/admin/people/import/${jobId}`);
    return { message: "Applying the file. You can leave this page; the import goes on." };
  },
);

/** Drops a validated import that has not started applying. */
export const cancelImportJob = action(
  { permission: "action:admin/people.cancelImportJob", schema: z.object({ jobId: uuidSchema() }) },
  async ({ jobId }, { viewer }) => {
    await cancelJob(viewer, jobId);
    revalidatePath(`/admin/people/import/${jobId}`);
    return { message: "Import cancelled. Nothing was changed." };
  },
);
