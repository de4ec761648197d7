"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { ssoOnlyPolicies } from "@/db/schema";
import { action } from "@/lib/http/action";
import {
  setSsoOnlyPolicy as changePolicy,
  oidcProviderInput,
  deleteProvider as removeProvider,
  testProvider as runTest,
  saveOidcProvider as saveProvider,
  setProviderEnabled as switchProvider,
} from "@/lib/identity/providers/manage-providers";
import { samlProviderInput, saveSamlProvider as saveSaml } from "@/lib/identity/providers/save-saml-provider";

export const saveOidcProvider = action(
  { permission: "action:admin/identity.saveOidcProvider", schema: oidcProviderInput },
  async (input, { viewer, audit }) => {
    const id = await saveProvider(viewer, input, audit);
    revalidatePath("/admin/identity");
    return {
      message: input.id ? "Provider saved." : "Provider added. Test it, then enable it to show its sign-in button.",
      data: { id },
    };
  },
);

export const saveSamlProvider = action(
  { permission: "action:admin/identity.saveSamlProvider", schema: samlProviderInput },
  async (input, { viewer, audit }) => {
    const id = await saveSaml(viewer, input, audit);
    revalidatePath("/admin/identity");
    return {
      message: input.id
        ? "Provider saved."
        : "Provider added. Give its SP values to the identity provider, test it, then enable it.",
      data: { id },
    };
  },
);

const providerId = z.object({ providerId: z.uuid() });

export const setProviderEnabled = action(
  {
    permission: "action:admin/identity.setProviderEnabled",
    schema: providerId.extend({ enabled: z.enum(["true", "false"]).transform((v) => v === "true") }),
  },
  async ({ providerId, enabled }, { viewer, audit }) => {
    await switchProvider(viewer, providerId, enabled, audit);
    revalidatePath("/admin/identity");
    return { message: enabled ? "Provider enabled." : "Provider disabled." };
  },
);

export const deleteProvider = action(
  { permission: "action:admin/identity.deleteProvider", schema: providerId },
  async ({ providerId }, { viewer, audit }) => {
    await removeProvider(viewer, providerId, audit);
    revalidatePath("/admin/identity");
    return { message: "Provider deleted." };
  },
);

export const testProvider = action(
  { permission: "action:admin/identity.testProvider", schema: providerId },
  async ({ providerId }, { viewer, audit }) => {
    const result = await runTest(viewer, providerId, audit);
    return { message: result.message, data: { ok: result.ok } };
  },
);

export const setSsoOnlyPolicy = action(
  { permission: "action:admin/identity.setSsoOnlyPolicy", schema: z.object({ policy: z.enum(ssoOnlyPolicies) }) },
  async ({ policy }, { viewer, audit }) => {
    await changePolicy(viewer, policy, audit);
    revalidatePath("/admin/identity");
    return { message: "Sign-in policy saved." };
  },
);
