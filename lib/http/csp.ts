/**
 * The Content-Security-Policy. Every resource comes from our own origin: no
 * CDNs, fonts or analytics. App pages get a per-request nonce (proxy.ts) so
 * that only the framework's own scripts run, never an injected inline one;
 * other responses (the public HTML pages, files, APIs) allow same-origin
 * scripts only. Styles keep 'unsafe-inline': React writes style attributes.
 */
export function contentSecurityPolicy(options: { nonce?: string; development?: boolean } = {}): string {
  const scripts = options.nonce ? `'self' 'nonce-${options.nonce}' 'strict-dynamic'` : "'self'";
  return [
    "default-src 'self'",
    // React's development build reconstructs server errors with eval; production never needs it.
    `script-src ${scripts}${options.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** 128 random bits, base64: a fresh nonce for each page response. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
