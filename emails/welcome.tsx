import { formatLongDateTime } from "@/lib/format";

import { Action, Facts, P, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { ItemList } from "./components/item-list";
import { Layout } from "./components/layout";
import type { NudgeItem } from "./nudge";

export type WelcomeProps = {
  name: string;
  /** App path with the one-time token, e.g. `/set-password/…`. */
  setPasswordPath: string;
  expiresAt: Date;
  invitedByName?: string | null;
  /** What is due from day one: assigned courses (with due dates) and agreements to sign. */
  items: NudgeItem[];
};

export const subject = () => `Set up your ${PRODUCT_NAME} account at ${orgName()}`;

/** The one message a new person gets on day one: the invitation and everything due, instead of one email each. */
export default function WelcomeEmail(p: WelcomeProps) {
  const org = orgName();
  return (
    <Layout
      preview={`Choose a password and see what is due at ${org}.`}
      reason={`You received this email because an account was created for you in ${PRODUCT_NAME} at ${org}. If you did not expect it, ignore this email and the link will expire.`}
    >
      <Title>Welcome to {PRODUCT_NAME}</Title>
      <P>Hello {p.name},</P>
      <P>
        {p.invitedByName ? `${p.invitedByName} has` : `${org} has`} created your {PRODUCT_NAME} account. {PRODUCT_NAME}{" "}
        is where you complete your compliance training, sign your confidentiality agreements and request access to data.
      </P>
      <P>Choose a password to sign in for the first time.</P>
      <Facts items={[["Link valid until", formatLongDateTime(p.expiresAt)]]} />
      <Action path={p.setPasswordPath}>Set your password</Action>
      {p.items.length > 0 ? (
        <>
          <P>What is due for you:</P>
          <ItemList items={p.items} />
        </>
      ) : null}
    </Layout>
  );
}
