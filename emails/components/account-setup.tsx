import { formatLongDateTime } from "@/lib/format";

import { Action, Facts, P, Title } from "./blocks";
import { orgName, PRODUCT_NAME } from "./format";

/** Why a new person receives an account email, shared by the invitation and the welcome message. */
export const accountSetupReason = () =>
  `You received this email because an account was created for you in ${PRODUCT_NAME} at ${orgName()}. If you did not expect it, ignore this email and the link will expire.`;

/** The greeting and the one-time set-password link of a new account. */
export function AccountSetup(p: {
  name: string;
  setPasswordPath: string;
  expiresAt: Date;
  invitedByName?: string | null;
}) {
  return (
    <>
      <Title>Welcome to {PRODUCT_NAME}</Title>
      <P>Hello {p.name},</P>
      <P>
        {p.invitedByName ? `${p.invitedByName} has` : `${orgName()} has`} created your {PRODUCT_NAME} account.{" "}
        {PRODUCT_NAME} is where you complete your compliance training, sign your confidentiality agreements and request
        access to data.
      </P>
      <P>Choose a password to sign in for the first time.</P>
      <Facts items={[["Link valid until", formatLongDateTime(p.expiresAt)]]} />
      <Action path={p.setPasswordPath}>Set your password</Action>
    </>
  );
}
