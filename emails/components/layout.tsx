import { Body, Container, Head, Hr, Html, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";

import { orgName, PRODUCT_NAME } from "./format";
import { colors, fontStack } from "./styles";

type LayoutProps = {
  /** The line mail clients show after the subject. */
  preview: string;
  /** Why this person got this email, shown in the footer. */
  reason: string;
  children: ReactNode;
};

/** The frame of every Clearance email: product and organisation, a card, and a footer. */
export function Layout({ preview, reason, children }: LayoutProps) {
  const org = orgName();
  return (
    <Html lang="en" dir="ltr">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: colors.page, margin: 0, padding: "24px 0", fontFamily: fontStack }}>
        <Container style={{ maxWidth: "560px", margin: "0 auto", padding: "0 12px" }}>
          <Section style={{ padding: "0 4px 12px" }}>
            <Text
              style={{
                margin: 0,
                fontSize: "18px",
                lineHeight: "24px",
                fontWeight: 700,
                color: colors.ink,
                letterSpacing: "-0.01em",
              }}
            >
              {PRODUCT_NAME}
            </Text>
            <Text style={{ margin: 0, fontSize: "13px", lineHeight: "18px", color: colors.muted }}>{org}</Text>
          </Section>
          <Section
            style={{
              backgroundColor: colors.card,
              border: `1px solid ${colors.border}`,
              borderRadius: "8px",
              padding: "28px 32px",
            }}
          >
            {children}
          </Section>
          <Section style={{ padding: "16px 4px 0" }}>
            <Text style={{ margin: "0 0 8px", fontSize: "12px", lineHeight: "18px", color: colors.muted }}>
              {reason}
            </Text>
            <Hr style={{ borderColor: colors.border, margin: "8px 0" }} />
            <Text style={{ margin: 0, fontSize: "12px", lineHeight: "18px", color: colors.muted }}>
              Sent by {PRODUCT_NAME}, the compliance training system of {org}. This is an automated message; replies are
              not read.
            </Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}
