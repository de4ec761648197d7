/** Inline-style tokens: email clients ignore stylesheets, and we load no remote fonts. */
export const fontStack = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const monoStack = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

export const colors = {
  page: "#f3f4f6",
  card: "#ffffff",
  ink: "#111827",
  text: "#374151",
  muted: "#6b7280",
  border: "#e5e7eb",
  accent: "#1d4ed8",
  subtle: "#f9fafb",
  warning: "#b45309",
  warningBg: "#fffbeb",
  danger: "#b91c1c",
  dangerBg: "#fef2f2",
  success: "#047857",
  successBg: "#ecfdf5",
};
