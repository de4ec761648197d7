/**
 * The policy a SCORM package's files are served under, on our own origin at
 * /scorm/<sha256>/. Packages come from authoring tools that write inline
 * scripts and styles, so those run; but nothing may be fetched from, sent
 * to, or framed by another origin, forms submit nowhere, and only Clearance's
 * own pages may frame the files.
 */
export const PACKAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join("; ");

export const PACKAGE_HEADERS: Record<string, string> = {
  "Content-Security-Policy": PACKAGE_CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "SAMEORIGIN",
  "Referrer-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
};
