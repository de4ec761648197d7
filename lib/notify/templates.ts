import "server-only";

import { render, toPlainText } from "@react-email/render";
import { createElement, type FunctionComponent } from "react";

import * as accessDecision from "@/emails/access-decision";
import * as accessLapsed from "@/emails/access-lapsed";
import * as accessRequest from "@/emails/access-request";
import * as agreementToSign from "@/emails/agreement-to-sign";
import * as certificationAnnulled from "@/emails/certification-annulled";
import * as certificationExpiring from "@/emails/certification-expiring";
import * as courseAssigned from "@/emails/course-assigned";
import * as courseDueSoon from "@/emails/course-due-soon";
import * as courseOverdue from "@/emails/course-overdue";
import * as escalation from "@/emails/escalation";
import * as invitation from "@/emails/invitation";
import * as nudge from "@/emails/nudge";
import * as partnerSigningCode from "@/emails/partner-signing-code";
import * as partnerSigningLink from "@/emails/partner-signing-link";
import * as passwordReset from "@/emails/password-reset";
import * as reminderDigest from "@/emails/reminder-digest";
import * as signedCopy from "@/emails/signed-copy";
import * as welcome from "@/emails/welcome";

export type EmailTemplate<P> = {
  subject: (props: P) => string;
  component: FunctionComponent<P>;
  /**
   * The body carries a credential (a set-password link, a signing link or code).
   * Admins may read it while it waits in the outbox, never after it was sent.
   */
  carriesSecret: boolean;
};

function template<P>(
  module: { subject: (props: P) => string; default: FunctionComponent<P> },
  carriesSecret = false,
): EmailTemplate<P> {
  return { subject: module.subject, component: module.default, carriesSecret };
}

/** Every email Clearance sends, by kind. The kind is stored on each outbox row. */
export const emailTemplates = {
  invitation: template(invitation, true),
  welcome: template(welcome, true),
  "password-reset": template(passwordReset, true),
  "course-assigned": template(courseAssigned),
  "course-due-soon": template(courseDueSoon),
  "course-overdue": template(courseOverdue),
  escalation: template(escalation),
  "certification-expiring": template(certificationExpiring),
  "certification-annulled": template(certificationAnnulled),
  "agreement-to-sign": template(agreementToSign),
  "partner-signing-link": template(partnerSigningLink, true),
  "partner-signing-code": template(partnerSigningCode, true),
  "signed-copy": template(signedCopy),
  "access-request": template(accessRequest),
  "access-decision": template(accessDecision),
  "access-lapsed": template(accessLapsed),
  nudge: template(nudge),
  "reminder-digest": template(reminderDigest),
};

export type EmailKind = keyof typeof emailTemplates;
export type EmailProps<K extends EmailKind> = (typeof emailTemplates)[K] extends EmailTemplate<infer P> ? P : never;
export type RenderedEmail = { subject: string; html: string; text: string };

export const emailKinds = Object.keys(emailTemplates) as EmailKind[];

export function isEmailKind(kind: string): kind is EmailKind {
  return Object.hasOwn(emailTemplates, kind);
}

// html-to-text shouts headings in capitals by default; our titles read better as written.
const plainTextSelectors = ["h1", "h2", "h3"].map((selector) => ({ selector, options: { uppercase: false } }));

export async function renderEmail<K extends EmailKind>(kind: K, props: EmailProps<K>): Promise<RenderedEmail> {
  const { subject, component } = emailTemplates[kind] as unknown as EmailTemplate<EmailProps<K>>;
  // The registry pairs each kind with its own props; erase the generic for React's overloads.
  const element = createElement(component as FunctionComponent<object>, props as object);
  // One render: the plain text comes from the same HTML (as render's plainText option would derive it, rendering a second time).
  const html = await render(element);
  const text = toPlainText(html, { wordwrap: 78, selectors: plainTextSelectors });
  // A subject is one header line whatever the props contain.
  return { subject: subject(props).replace(/\s+/g, " ").trim(), html, text };
}
