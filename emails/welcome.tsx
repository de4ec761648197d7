import { AccountSetup, accountSetupReason } from "./components/account-setup";
import { P } from "./components/blocks";
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
    <Layout preview={`Choose a password and see what is due at ${org}.`} reason={accountSetupReason()}>
      <AccountSetup {...p} />
      {p.items.length > 0 ? (
        <>
          <P>What is due for you:</P>
          <ItemList items={p.items} />
        </>
      ) : null}
    </Layout>
  );
}
