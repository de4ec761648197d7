import { Button, Heading, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";

import { appLink } from "./format";
import { colors, monoStack } from "./styles";

/** Building blocks shared by the templates, so every message reads the same way. */

export function Title({ children }: { children: ReactNode }) {
  return (
    <Heading
      as="h1"
      style={{ margin: "0 0 16px", fontSize: "20px", lineHeight: "28px", fontWeight: 700, color: colors.ink }}
    >
      {children}
    </Heading>
  );
}

export function P({ children }: { children: ReactNode }) {
  return (
    <Text style={{ margin: "0 0 14px", fontSize: "15px", lineHeight: "24px", color: colors.text }}>{children}</Text>
  );
}

/** The one thing to do, as a button to an app path (made absolute with APP_URL). */
export function Action({ path, children }: { path: string; children: ReactNode }) {
  const href = appLink(path);
  return (
    <Section style={{ margin: "20px 0 8px" }}>
      <Button
        href={href}
        style={{
          backgroundColor: colors.accent,
          color: "#ffffff",
          borderRadius: "6px",
          padding: "11px 20px",
          fontSize: "15px",
          fontWeight: 600,
          textDecoration: "none",
          display: "inline-block",
        }}
      >
        {children}
      </Button>
      {/* The plain-text version already prints the button's link. */}
      <Text
        data-skip-in-text="true"
        style={{
          margin: "12px 0 0",
          fontSize: "12px",
          lineHeight: "18px",
          color: colors.muted,
          wordBreak: "break-all",
        }}
      >
        Or open this link: {href}
      </Text>
    </Section>
  );
}

/** The key facts of a message as label/value lines (they survive the plain-text version intact). */
export function Facts({ items }: { items: [label: string, value: ReactNode][] }) {
  return (
    <Section
      style={{
        backgroundColor: colors.subtle,
        border: `1px solid ${colors.border}`,
        borderRadius: "6px",
        padding: "12px 16px",
        margin: "4px 0 16px",
      }}
    >
      {items.map(([label, value]) => (
        <Text key={label} style={{ margin: "2px 0", fontSize: "14px", lineHeight: "22px", color: colors.text }}>
          <span style={{ color: colors.muted }}>{label}: </span>
          <strong style={{ color: colors.ink }}>{value}</strong>
        </Text>
      ))}
    </Section>
  );
}

const tones = {
  warning: { color: colors.warning, backgroundColor: colors.warningBg },
  danger: { color: colors.danger, backgroundColor: colors.dangerBg },
  success: { color: colors.success, backgroundColor: colors.successBg },
} as const;

export function Callout({ tone, children }: { tone: keyof typeof tones; children: ReactNode }) {
  const { color, backgroundColor } = tones[tone];
  return (
    <Text
      style={{
        margin: "0 0 16px",
        padding: "10px 14px",
        borderLeft: `4px solid ${color}`,
        backgroundColor,
        color,
        fontSize: "14px",
        lineHeight: "22px",
        fontWeight: 600,
      }}
    >
      {children}
    </Text>
  );
}

/** A one-time code, large and spaced so it is easy to copy by eye. */
export function Code({ children }: { children: string }) {
  return (
    <Text
      style={{
        margin: "8px 0 20px",
        padding: "14px 0",
        textAlign: "center",
        fontFamily: monoStack,
        fontSize: "30px",
        lineHeight: "36px",
        letterSpacing: "0.3em",
        fontWeight: 700,
        color: colors.ink,
        backgroundColor: colors.subtle,
        border: `1px solid ${colors.border}`,
        borderRadius: "6px",
      }}
    >
      {children}
    </Text>
  );
}

/** Text someone else wrote (a justification, a comment), set apart from ours. */
export function Quote({ children }: { children: ReactNode }) {
  return (
    <Text
      style={{
        margin: "0 0 16px",
        padding: "4px 0 4px 14px",
        borderLeft: `3px solid ${colors.border}`,
        fontSize: "14px",
        lineHeight: "22px",
        color: colors.text,
        whiteSpace: "pre-line",
      }}
    >
      {children}
    </Text>
  );
}
