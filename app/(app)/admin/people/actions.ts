"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";

import { appRoles, personStatuses } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto/hash";
import { DomainError } from "@/lib/errors";
import { action, type ActionState } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";
import { applyImport, previewImport } from "@/lib/people/import-people";
import { decodeImportFile, sizeError } from "@/lib/people/import-rules";
import { setPersonRoles, setPersonStatus } from "@/lib/people/manage-people";
import {
  createPerson,
  PersonFieldError,
  personFormSchema,
  resendInvitation,
  updatePerson,
} from "@/lib/people/person-editor";

import { importView, type ImportView } from "./import-view";

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

/**
 * One action for both steps of an import, so the page always shows the
 * newest result. "preview" only reads; "apply" re-plans the same file inside
 * its transaction and applies the valid rows. The digest of the previewed
 * file makes sure what is applied is what was previewed.
 */
export const importPeople = action(
  {
    permission: "action:admin/people.importPeople",
    schema: z.object({
      mode: z.enum(["preview", "apply"]),
      file: z.instanceof(File, { message: "Choose a CSV file to upload." }),
      previewed: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    }),
  },
  async ({ mode, file, previewed }, { viewer, audit }): Promise<{ data: ImportView; message: string }> => {
    const tooBig = sizeError(file.size);
    if (tooBig) throw new DomainError("invalid_file", tooBig);
    const decoded = decodeImportFile(new Uint8Array(await file.arrayBuffer()));
    if (!decoded.ok) throw new DomainError("invalid_file", decoded.error);
    const digest = sha256Hex(decoded.text);
    if (mode === "preview") {
      const plan = await previewImport(viewer, decoded.text);
      if (!plan.ok) throw new DomainError("invalid_file", plan.error);
      return { data: importView(plan, file.name, digest), message: "" };
    }
    if (previewed !== digest)
      throw new DomainError("changed", "This is not the file you previewed. Preview it again before applying.");
    const result = await applyImport(viewer, audit, decoded.text);
    revalidatePath("/admin/people");
    return { data: { kind: "applied", fileName: file.name, ...result }, message: "" };
  },
);
