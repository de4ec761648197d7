/**
 * The links of the public header and footer. The React pages and the plain
 * HTML public pages both read them, so every page leads to the same places.
 */

export const mainNavLinks = [
  { key: "guides", href: "/guides", label: "Guides" },
  { key: "privacy", href: "/privacy", label: "Privacy" },
] as const;

export type MainNavKey = (typeof mainNavLinks)[number]["key"];

export const signInLink = { href: "/signin", label: "Sign in" } as const;

export const footerLinks = [
  { href: "/guides", label: "Guides" },
  { href: "/privacy", label: "Privacy notice" },
  { href: "/verify", label: "Verify a document" },
  signInLink,
] as const;

export const footerTagline = "Clearance — compliance training, signed agreements and data-access clearance.";
