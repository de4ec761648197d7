import type { NextConfig } from "next";

import { contentSecurityPolicy as policyWithoutNonce } from "./lib/http/csp";
import { PACKAGE_HEADERS } from "./lib/scorm/serve-policy";

const isProduction = process.env.NODE_ENV === "production";

// Same-origin scripts only; app pages get a nonce on top of this in proxy.ts.
const contentSecurityPolicy = policyWithoutNonce({ development: !isProduction });

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  ...(isProduction ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // The container image (Dockerfile) builds with NEXT_OUTPUT=standalone: a self-contained server.js and the node_modules
  // it needs. Unset, `next build` makes the usual .next/ that `npm start` (next start) serves.
  ...(process.env.NEXT_OUTPUT === "standalone" ? { output: "standalone" as const } : {}),
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pdf-lib",
    "@pdf-lib/fontkit",
    "@signpdf/signpdf",
    "@signpdf/placeholder-pdf-lib",
    "node-forge",
    "nodemailer",
    // SAML: the XML signature stack is loaded by Node as is, not bundled.
    "@node-saml/node-saml",
    "@xmldom/xmldom",
  ],
  // Forms send text: 1 MB is plenty. The /verify PDF upload (10 MB) is a route handler with its own streamed limit.
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: "1mb" } },
  async headers() {
    return [
      // SCORM packages' files have their own policy (lib/scorm/serve-policy.ts): the course player frames them.
      { source: "/:path((?!scorm/).*)", headers: securityHeaders },
      { source: "/scorm/:path*", headers: Object.entries(PACKAGE_HEADERS).map(([key, value]) => ({ key, value })) },
    ];
  },
};

export default nextConfig;
