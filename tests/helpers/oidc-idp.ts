import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from "jose";
import type { KoaContext } from "oidc-provider";

/**
 * A real OpenID Provider (oidc-provider) on a loopback port, for integration
 * and end-to-end tests: discovery, authorization code + PKCE, signed ID
 * tokens, UserInfo. Its login page is a plain form (user name and password);
 * each test account says which claims it carries and whether it signs in
 * with more than one factor (amr ["pwd", "otp", "mfa"]).
 */

export type IdpAccount = {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  /** The account signs in with a second factor: the ID token's amr says so. */
  mfa?: boolean;
  /** Any further claims (department, manager, title…), released with the "profile" scope. */
  extra?: Record<string, unknown>;
};

export const IDP_PASSWORD = "idp-password";
export const IDP_CLIENT_ID = "clearance";
export const IDP_CLIENT_SECRET = "clearance-test-client-secret-0123456789";

export type TestIdp = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** By the user name typed on the login page. */
  accounts: Map<string, IdpAccount>;
  /** Rewrites the next token responses' ID token (null: leave them alone). */
  tamperIdToken: (rewrite: ((idToken: string) => Promise<string>) | null) => void;
  /** Signs an ID token with the provider's own key: for tokens the provider would never issue. */
  signIdToken: (claims: Record<string, unknown>) => Promise<string>;
  /** Follows an authorization URL as a browser would, signs `accountId` in, and returns the redirect back. */
  login: (authorizationUrl: string, accountId: string, password?: string) => Promise<URL>;
  close: () => Promise<void>;
};

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function startTestIdp(options: {
  port?: number;
  redirectUris: string[];
  accounts?: IdpAccount[];
}): Promise<TestIdp> {
  const { default: Provider } = await import("oidc-provider");
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };
  const accounts = new Map((options.accounts ?? []).map((a) => [a.sub, a]));
  let tamper: ((idToken: string) => Promise<string>) | null = null;

  const server: Server = createServer();
  // Longer than any pause in a test: a pooled connection the server closed meanwhile would fail the next request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: IDP_CLIENT_ID,
        client_secret: IDP_CLIENT_SECRET,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [jwk] },
    claims: {
      // amr in every ID token, as Okta and Entra ID send it.
      openid: ["sub", "amr", "acr", "auth_time"],
      email: ["email", "email_verified"],
      profile: ["name", "department", "title", "manager"],
    },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    cookies: { keys: ["test-idp-cookie-key-0123456789"] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // A first-party client: no consent screen.
    async loadExistingGrant(ctx: KoaContext) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
    async findAccount(_ctx: unknown, id: string) {
      const account = [...accounts.values()].find((a) => a.sub === id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: account.sub,
            email: account.email,
            email_verified: account.email_verified,
            name: account.name,
            ...account.extra,
          };
        },
      };
    },
  });
  provider.proxy = false;
  provider.on("server_error", (_ctx: unknown, error: Error) => console.error("[test idp]", error));
  // Lets a test replace the ID token a real exchange returned.
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: unknown } | null;
    if (ctx.path === "/token" && tamper && body && typeof body.id_token === "string") {
      ctx.body = { ...body, id_token: await tamper(body.id_token) };
    }
  });
  const callback = provider.callback();

  server.on("request", async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", issuer);
    const match = /^\/interaction\/([^/]+)$/.exec(url.pathname);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === "GET") {
        res.setHeader("content-type", "text/html; charset=utf-8");
        res.end(
          page(
            "Sign in to the test identity provider",
            `<form method="post" action="/interaction/${escape(details.uid)}">
              <p><label for="login">Username</label> <input id="login" name="login" autocomplete="username" required></p>
              <p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
              <p><button type="submit">Continue</button></p>
            </form>`,
          ),
        );
        return;
      }
      const form = await readForm(req);
      const account = accounts.get(form.get("login") ?? "");
      if (!account || form.get("password") !== IDP_PASSWORD) {
        res.statusCode = 401;
        res.setHeader("content-type", "text/html; charset=utf-8");
        res.end(page("Sign-in failed", `<p>Wrong username or password.</p>`));
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.sub, amr: account.mfa ? ["pwd", "otp", "mfa"] : ["pwd"] } },
        { mergeWithLastSubmission: false },
      );
    } catch {
      res.statusCode = 400;
      res.end("interaction failed");
    }
  });

  const signIdToken = async (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "test-key" }).sign(privateKey as KeyLike);

  /** A browser in miniature: follows redirects at the provider, keeps its cookies, posts the login form. */
  async function login(authorizationUrl: string, accountId: string, password = IDP_PASSWORD): Promise<URL> {
    const jar = new Map<string, string>();
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const keep = (response: Response) => {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const [name, ...value] = pair.split("=");
        jar.set(name.trim(), value.join("="));
      }
    };
    let url = new URL(authorizationUrl);
    let init: RequestInit | undefined;
    for (let hop = 0; hop < 10; hop++) {
      if (url.origin !== issuer) return url;
      const response = await fetch(url, {
        ...init,
        redirect: "manual",
        headers: { ...(init?.headers as Record<string, string>), cookie: cookieHeader() },
      });
      keep(response);
      init = undefined;
      const location = response.headers.get("location");
      if (location) {
        url = new URL(location, url);
        continue;
      }
      if (response.status === 200 && /^\/interaction\//.test(url.pathname)) {
        await response.text();
        init = {
          method: "POST",
          body: new URLSearchParams({ login: accountId, password }).toString(),
          headers: { "content-type": "application/x-www-form-urlencoded" },
        };
        continue;
      }
      throw new Error(`test identity provider answered ${response.status} at ${url.pathname}`);
    }
    throw new Error("too many redirects at the test identity provider");
  }

  return {
    issuer,
    clientId: IDP_CLIENT_ID,
    clientSecret: IDP_CLIENT_SECRET,
    accounts,
    tamperIdToken: (rewrite) => {
      tamper = rewrite;
    },
    signIdToken,
    login,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
