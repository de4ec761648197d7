import "server-only";

import { z } from "zod";

import type { AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { env } from "@/lib/env";
import { FieldError } from "@/lib/errors";
import { splitCertificates } from "@/lib/identity/saml/certificates";
import { idpMetadataProblems, readIdpMetadata, type IdpMetadata } from "@/lib/identity/saml/metadata";
import { samlEndpoints, storedSamlSettingsSchema, type StoredSamlSettings } from "@/lib/identity/saml/settings";

import { checkbox, lines, providerBase, storeProvider } from "./manage-providers";

/**
 * Compliance admins add and change SAML identity providers here. The IdP's
 * part comes from its metadata document when one is pasted (it wins), else
 * from the entity ID, single sign-on URL and certificate typed in; either
 * way it is checked as sign-in will read it.
 */

const attribute = (fallback: string) =>
  z
    .string()
    .trim()
    .max(512)
    .regex(/^[^\s"'<>]*$/, "An attribute name has no spaces or quotes.")
    .optional()
    .transform((v) => v || fallback);

/** The SAML provider form, as submitted. Department, manager and job title use the common claim fields. */
export const samlProviderInput = providerBase.extend({
  metadataXml: z
    .string()
    .max(200_000, "The metadata is longer than any real one (200 kB).")
    .optional()
    .transform((v) => v?.trim() ?? ""),
  idpEntityId: z.string().trim().max(1024).optional(),
  idpSsoUrl: z.string().trim().max(2048).optional(),
  idpCertificate: z.string().max(50_000).optional(),
  allowIdpInitiated: checkbox,
  emailAttribute: attribute("email"),
  nameAttribute: attribute("name"),
  mfaAuthnContexts: lines.pipe(z.array(z.string().max(1024)).max(20)),
});
export type SamlProviderInput = z.output<typeof samlProviderInput>;

/** The IdP's entity ID, SSO URL and certificates, from the pasted metadata or the typed fields. */
function idpPart(input: SamlProviderInput): IdpMetadata & { fromMetadata: boolean } {
  if (input.metadataXml) {
    const read = readIdpMetadata(input.metadataXml);
    if (!read.ok) throw new FieldError("metadataXml", read.problem, idpMetadataProblems[read.problem]);
    return { ...read.metadata, fromMetadata: true };
  }
  if (!input.idpEntityId)
    throw new FieldError(
      "metadataXml",
      "required",
      "Paste the identity provider's metadata, or fill in the fields below.",
    );
  return {
    idpEntityId: input.idpEntityId,
    idpSsoUrl: input.idpSsoUrl ?? "",
    idpCertificates: splitCertificates(input.idpCertificate ?? ""),
    fromMetadata: false,
  };
}

/** The form field that shows a settings problem. */
function fieldOf(path: readonly PropertyKey[], fromMetadata: boolean): string {
  const [top, sub] = path.map(String);
  if (top === "attributes") return sub === "email" || sub === "name" ? `${sub}Attribute` : `${sub}Claim`;
  if (top === "idpCertificates") return fromMetadata ? "metadataXml" : "idpCertificate";
  if (top === "idpEntityId" || top === "idpSsoUrl") return fromMetadata ? "metadataXml" : top;
  return top ?? "metadataXml";
}

/** The settings to store for a SAML provider, or a FieldError naming the field that is wrong. */
export function samlSettingsFrom(input: SamlProviderInput): StoredSamlSettings {
  try {
    samlEndpoints(env().APP_URL, input.slug);
  } catch {
    throw new FieldError("slug", "invalid", "For SAML, the URL name must not end with a hyphen.");
  }
  const { fromMetadata, ...idp } = idpPart(input);
  const parsed = storedSamlSettingsSchema.safeParse({
    ...idp,
    allowIdpInitiated: input.allowIdpInitiated,
    attributes: {
      email: input.emailAttribute,
      name: input.nameAttribute,
      ...(input.departmentClaim ? { department: input.departmentClaim } : {}),
      ...(input.managerClaim ? { manager: input.managerClaim } : {}),
      ...(input.titleClaim ? { title: input.titleClaim } : {}),
    },
    mfaAuthnContexts: input.mfaAuthnContexts,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = fieldOf(issue.path, fromMetadata);
    throw new FieldError(
      field,
      "invalid",
      fromMetadata && field === "metadataXml" ? `In the metadata: ${issue.message}` : issue.message,
    );
  }
  return parsed.data;
}

/** Adds a SAML provider (disabled until an admin enables it) or changes one. Returns the provider's id. */
export async function saveSamlProvider(
  viewer: Viewer,
  input: SamlProviderInput,
  audit: AuditContext,
  now = new Date(),
): Promise<string> {
  assertMay(viewer, "administer");
  return storeProvider(viewer, "saml", input, samlSettingsFrom(input), null, audit, now);
}
