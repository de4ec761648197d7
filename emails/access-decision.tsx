import { formatLongDate } from "@/lib/format";

import { Action, Callout, Facts, P, Quote, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";
import { colors } from "./components/styles";

export type AccessDecisionProps = {
  name: string;
  roleName: string;
  decision: "approved" | "denied";
  decidedByName: string;
  comment?: string | null;
  /** For an approval: the earliest expiry among the role's requirements. */
  validUntil?: Date | null;
  requestPath: string;
  /** For an approval whose requirements are not met yet: what must be done first, in words. */
  pending?: string[] | null;
  /** Set when the email goes to the approver: the person the role was approved for. */
  holderName?: string | null;
};

export const subject = (p: AccessDecisionProps) =>
  p.holderName
    ? `Approved, not yet in effect: ${p.roleName} for ${p.holderName}`
    : `Access ${p.decision}${p.decision === "approved" && p.pending?.length ? " (not yet in effect)" : ""}: ${p.roleName}`;

function callout(p: AccessDecisionProps): string {
  if (p.decision === "denied") return `Your request for the ${p.roleName} role was not approved.`;
  if (!p.pending?.length) return `You may now hold the ${p.roleName} role.`;
  return p.holderName
    ? `You approved the ${p.roleName} role for ${p.holderName}. It takes effect once they have done the following:`
    : `Your request for the ${p.roleName} role was approved. It takes effect once you have done the following:`;
}

export default function AccessDecisionEmail(p: AccessDecisionProps) {
  const approved = p.decision === "approved";
  const pending = approved && p.pending?.length ? p.pending : null;
  const facts: [string, string][] = [
    ["Role", p.roleName],
    ["Decision", approved ? (pending ? "Approved, not yet in effect" : "Approved") : "Denied"],
    ["Decided by", p.decidedByName],
  ];
  if (approved && p.validUntil) facts.push(["Valid until", formatLongDate(p.validUntil)]);
  return (
    <Layout
      preview={
        p.holderName
          ? `${p.roleName} for ${p.holderName} takes effect once their requirements are met.`
          : `${p.decidedByName} ${p.decision} your request for ${p.roleName}.`
      }
      reason={
        p.holderName
          ? `You received this email because you approved a data-access role for ${p.holderName} in ${PRODUCT_NAME} at ${orgName()}.`
          : `You received this email because you requested a data-access role in ${PRODUCT_NAME} at ${orgName()}.`
      }
    >
      <Title>
        {p.holderName
          ? "Your approval is not yet in effect"
          : `Your access request was ${pending ? "approved, not yet in effect" : p.decision}`}
      </Title>
      <P>Hello {p.name},</P>
      <Callout tone={approved ? (pending ? "warning" : "success") : "danger"}>{callout(p)}</Callout>
      {pending ? (
        <ul
          style={{ margin: "0 0 16px", paddingLeft: "20px", color: colors.text, fontSize: "15px", lineHeight: "24px" }}
        >
          {pending.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
      {p.comment && !p.holderName ? (
        <>
          <P>{p.decidedByName} wrote:</P>
          <Quote>{p.comment}</Quote>
        </>
      ) : null}
      <Facts items={facts} />
      {approved && !p.holderName ? (
        <P>
          {pending
            ? "The role applies automatically as soon as these are done; you need not ask again."
            : "Keep your training and agreements current: the role stops being granted when they lapse."}
        </P>
      ) : null}
      <Action path={p.requestPath}>{p.holderName ? "See their record" : "View the request"}</Action>
    </Layout>
  );
}
