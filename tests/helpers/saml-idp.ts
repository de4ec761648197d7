import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import * as xmllint from "@authenio/samlify-node-xmllint";
import forge from "node-forge";
import * as samlify from "samlify";

/**
 * A real SAML identity provider (samlify) on a loopback port, for tests of
 * Clearance's service provider. It serves its metadata, reads the SP's
 * AuthnRequest (HTTP-Redirect) and answers with a signed Response through an
 * auto-posting HTML form (HTTP-POST), as a browser would see it. Knobs make
 * the answers a broken or hostile IdP would send. Keys and certificates are
 * made at start and never leave the test process.
 */

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
export const EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
export const SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";

/**
 * The XML schema check samlify asks for. The validator is an old emscripten
 * build: every call prints a blank line and leaves behind a process-wide
 * "uncaughtException" handler and a stdout "drain" handler that exits the
 * process; both are removed again here so they cannot end a test run.
 */
async function validateSchema(xml: string): Promise<unknown> {
  const drains = new Set(process.stdout.listeners("drain"));
  const handlers = new Set(process.listeners("uncaughtException"));
  const log = console.log;
  console.log = () => {};
  try {
    return await xmllint.validate(xml);
  } finally {
    console.log = log;
    for (const listener of process.stdout.listeners("drain")) {
      if (!drains.has(listener)) process.stdout.removeListener("drain", listener as (...args: unknown[]) => void);
    }
    for (const listener of process.listeners("uncaughtException")) {
      if (!handlers.has(listener)) process.removeListener("uncaughtException", listener);
    }
  }
}

samlify.setSchemaValidator({ validate: validateSchema });

/** The schema validator compiles on first use (many seconds): a suite that sends AuthnRequests calls this in beforeAll. */
export async function warmUpSchemaValidator(): Promise<void> {
  await validateSchema(
    `<samlp:AuthnRequest xmlns:samlp="${PROTOCOL}" ID="_warm" Version="2.0" IssueInstant="2020-01-01T00:00:00Z"/>`,
  );
}

export type TestUser = {
  nameId: string;
  nameIdFormat?: string;
  attributes?: Record<string, string | string[]>;
};

export type ResponseKnobs = {
  audience?: string;
  /** SubjectConfirmationData Recipient. */
  recipient?: string;
  /** Response Destination; null leaves it out. */
  destination?: string | null;
  issuer?: string;
  /** When the IdP says it issued the response; default now. */
  issuedAt?: Date;
  lifetimeSeconds?: number;
  /** Overrides the request's ID; null sends no InResponseTo (IdP-initiated). */
  inResponseTo?: string | null;
  signAssertion?: boolean;
  signResponse?: boolean;
  /** "rogue": signed by a key the SP does not trust, with the same entity ID. */
  signingKey?: "idp" | "rogue";
  /** "sha1": RSA-SHA1 signatures, as old IdP configurations make. */
  signatureAlgorithm?: "sha256" | "sha1";
  authnContextClassRef?: string;
  /** A non-success top-level status code: the response carries no assertion. */
  status?: string;
  assertionId?: string;
  /** Applied to the XML after signing (tampering, wrapping). */
  transform?: (xml: string) => string;
};

export type PostedForm = { action: string; SAMLResponse: string; RelayState: string | null };

export type TestIdp = {
  origin: string;
  entityId: string;
  ssoUrl: string;
  metadataUrl: string;
  certificatePem: string;
  rogueCertificatePem: string;
  /** Trusts an SP by its metadata document (the IdP reads its entity ID and ACS from it). */
  trust(spMetadataXml: string): void;
  /** Who signs in, and how the answer is made, at the next AuthnRequest. */
  nextSignIn(user: TestUser, knobs?: ResponseKnobs): void;
  /** A response made now, without a request (IdP-initiated unless `inResponseTo` is given). */
  respond(user: TestUser, knobs?: ResponseKnobs): Promise<string>;
  /** How many AuthnRequests the IdP accepted. */
  requests(): number;
  close(): Promise<void>;
};

/** A self-signed RSA certificate and its key, as PEM. */
export function makeSigningKey(commonName: string): { privateKeyPem: string; certificatePem: string } {
  const pair = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject([{ name: "commonName", value: commonName }]);
  cert.setIssuer([{ name: "commonName", value: commonName }]);
  cert.sign(forge.pki.privateKeyFromPem(pair.privateKey), forge.md.sha256.create());
  return { privateKeyPem: pair.privateKey, certificatePem: forge.pki.certificateToPem(cert) };
}

const escape = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export type TestIdpOptions = {
  /** A fixed loopback port (the e2e suite's); any free one by default. */
  port?: number;
  /**
   * People who may sign in on the IdP's own login page, by user name: an
   * AuthnRequest with no `nextSignIn` planned shows that page, as a real IdP
   * does, and its form answers for the person chosen.
   */
  accounts?: Record<string, TestUser>;
  /** Where the SP's metadata is read from at the first login, when `trust` was not called. */
  spMetadataUrl?: string;
};

const MAX_FORM_BYTES = 64 * 1024;

/** A request's body as text, refused past `MAX_FORM_BYTES`. */
function readBody(req: import("node:http").IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_FORM_BYTES) reject(new Error("form too large"));
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

export async function startTestIdp(options: TestIdpOptions = {}): Promise<TestIdp> {
  const key = makeSigningKey("Test IdP signing");
  const rogue = makeSigningKey("Rogue signing");
  const server: Server = createServer((req, res) => {
    (req.method === "POST" ? readBody(req) : Promise.resolve(""))
      .then((body) => handle(req.method ?? "GET", new URL(req.url ?? "/", origin), body))
      .then(({ status, type, body }) => {
        res.writeHead(status, { "content-type": type });
        res.end(body);
      })
      .catch(() => {
        res.writeHead(400, { "content-type": "text/plain" });
        res.end("bad request");
      });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${origin}/idp`;
  const ssoUrl = `${origin}/sso`;

  const entity = (signing: { privateKeyPem: string; certificatePem: string }, algorithm = RSA_SHA256) =>
    samlify.IdentityProvider({
      entityID: entityId,
      privateKey: signing.privateKeyPem,
      signingCert: signing.certificatePem,
      requestSignatureAlgorithm: algorithm,
      nameIDFormat: [EMAIL_FORMAT],
      singleSignOnService: [{ Binding: REDIRECT, Location: ssoUrl }],
      singleLogoutService: [{ Binding: REDIRECT, Location: `${origin}/slo` }],
      wantAuthnRequestsSigned: false,
    });
  const idp = entity(key);
  const rogueIdp = entity(rogue);
  const sha1Idp = entity(key, RSA_SHA1);

  let sp: samlify.ServiceProviderInstance | null = null;
  let acsUrl = "";
  let spEntityId = "";
  let plan: { user: TestUser; knobs: ResponseKnobs } | null = null;
  let accepted = 0;

  function trust(spMetadataXml: string) {
    sp = samlify.ServiceProvider({ metadata: spMetadataXml });
    spEntityId = sp.entityMeta.getEntityID();
    acsUrl = sp.entityMeta.getAssertionConsumerService("post") as string;
  }

  /** The SP's AuthnRequest from the query or form it came in, checked against the trusted SP; or why not. */
  async function readRequest(params: URLSearchParams): Promise<{ id: string } | string> {
    if (!sp && options.spMetadataUrl) trust(await (await fetch(options.spMetadataUrl)).text());
    if (!sp) return "no service provider";
    const query = Object.fromEntries(params);
    const octetString = ["SAMLRequest", "RelayState", "SigAlg"]
      .filter((name) => params.has(name))
      .map((name) => `${name}=${encodeURIComponent(params.get(name)!)}`)
      .join("&");
    const parsed = await idp.parseLoginRequest(sp, "redirect", { query, octetString });
    const request = parsed.extract.request as Record<string, string>;
    const requestedAcs = request.assertionConsumerServiceUrl ?? request.assertionConsumerServiceURL;
    if (parsed.extract.issuer !== spEntityId || (requestedAcs && requestedAcs !== acsUrl))
      return "unknown service provider or ACS";
    return { id: request.id };
  }

  async function handle(
    method: string,
    url: URL,
    body: string,
  ): Promise<{ status: number; type: string; body: string }> {
    if (method === "GET" && url.pathname === "/metadata") {
      return { status: 200, type: "application/samlmetadata+xml", body: idp.getMetadata() };
    }
    if (method === "GET" && url.pathname === "/sso" && !plan && options.accounts) {
      return { status: 200, type: "text/html; charset=utf-8", body: loginPage(url.searchParams, null) };
    }
    if (method === "POST" && url.pathname === "/login" && options.accounts) {
      const form = new URLSearchParams(body);
      const user = options.accounts[form.get("username") ?? ""];
      if (!user) return { status: 200, type: "text/html; charset=utf-8", body: loginPage(form, "Unknown user name.") };
      const request = await readRequest(form);
      if (typeof request === "string") return { status: 400, type: "text/plain", body: request };
      accepted += 1;
      const samlResponse = await makeResponse(user, { inResponseTo: request.id });
      return {
        status: 200,
        type: "text/html; charset=utf-8",
        body: autoPostForm(acsUrl, samlResponse, form.get("RelayState")),
      };
    }
    if (method === "GET" && url.pathname === "/sso") {
      if (!sp || !plan) return { status: 400, type: "text/plain", body: "no service provider or no sign-in planned" };
      const parsed = await idp.parseLoginRequest(sp, "redirect", {
        query: Object.fromEntries(url.searchParams),
        octetString: url.search.slice(1),
      });
      const request = parsed.extract.request as Record<string, string>;
      const requestedAcs = request.assertionConsumerServiceUrl ?? request.assertionConsumerServiceURL;
      if (parsed.extract.issuer !== spEntityId || (requestedAcs && requestedAcs !== acsUrl)) {
        return { status: 400, type: "text/plain", body: "unknown service provider or ACS" };
      }
      accepted += 1;
      const { user, knobs } = plan;
      plan = null;
      const samlResponse = await makeResponse(user, { inResponseTo: request.id, ...knobs });
      const relayState = url.searchParams.get("RelayState");
      return { status: 200, type: "text/html; charset=utf-8", body: autoPostForm(acsUrl, samlResponse, relayState) };
    }
    return { status: 404, type: "text/plain", body: "not found" };
  }

  async function makeResponse(user: TestUser, knobs: ResponseKnobs): Promise<string> {
    if (!sp) throw new Error("trust a service provider first");
    const issuedAt = knobs.issuedAt ?? new Date();
    const until = new Date(issuedAt.getTime() + (knobs.lifetimeSeconds ?? 300) * 1000).toISOString();
    const at = issuedAt.toISOString();
    const issuer = escape(knobs.issuer ?? entityId);
    const inResponseTo = knobs.inResponseTo ? ` InResponseTo="${escape(knobs.inResponseTo)}"` : "";
    const destination = knobs.destination === null ? "" : ` Destination="${escape(knobs.destination ?? acsUrl)}"`;
    const status = knobs.status ?? SUCCESS;
    const attributes = Object.entries(user.attributes ?? {})
      .map(
        ([name, value]) =>
          `<saml:Attribute Name="${escape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">` +
          [value]
            .flat()
            .map((v) => `<saml:AttributeValue xsi:type="xs:string">${escape(v)}</saml:AttributeValue>`)
            .join("") +
          `</saml:Attribute>`,
      )
      .join("");
    const assertion =
      status !== SUCCESS
        ? ""
        : `<saml:Assertion xmlns:saml="${ASSERTION}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${escape(knobs.assertionId ?? `_${randomUUID()}`)}" Version="2.0" IssueInstant="${at}">` +
          `<saml:Issuer>${issuer}</saml:Issuer>` +
          `<saml:Subject><saml:NameID Format="${escape(user.nameIdFormat ?? EMAIL_FORMAT)}">${escape(user.nameId)}</saml:NameID>` +
          `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
          `<saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${escape(knobs.recipient ?? acsUrl)}"${inResponseTo}/>` +
          `</saml:SubjectConfirmation></saml:Subject>` +
          `<saml:Conditions NotBefore="${at}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${escape(knobs.audience ?? spEntityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
          `<saml:AuthnStatement AuthnInstant="${at}" SessionIndex="_session-${randomUUID()}"><saml:AuthnContext><saml:AuthnContextClassRef>${escape(knobs.authnContextClassRef ?? "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
          (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : "") +
          `</saml:Assertion>`;
    const xml =
      `<samlp:Response xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="_${randomUUID()}" Version="2.0" IssueInstant="${at}"${destination}${inResponseTo}>` +
      `<saml:Issuer>${issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${escape(status)}"/></samlp:Status>` +
      assertion +
      `</samlp:Response>`;

    // An error response has no assertion: IdPs sign the message, if anything.
    const signAssertion = knobs.signAssertion ?? status === SUCCESS;
    const signResponse = knobs.signResponse ?? status !== SUCCESS;
    let signed: string;
    if (!signAssertion && !signResponse) {
      signed = xml;
    } else {
      // samlify signs the assertion when the SP wants it, the message when asked or when the assertion is not signed.
      const signingSp = samlify.ServiceProvider({
        entityID: spEntityId,
        assertionConsumerService: [{ Binding: POST, Location: acsUrl }],
        wantAssertionsSigned: signAssertion,
        wantMessageSigned: signResponse,
      });
      const signer = knobs.signingKey === "rogue" ? rogueIdp : knobs.signatureAlgorithm === "sha1" ? sha1Idp : idp;
      const made = await signer.createLoginResponse(
        signingSp,
        { extract: { request: { id: knobs.inResponseTo ?? "" } } },
        "post",
        { email: user.nameId },
        { customTagReplacement: () => ({ id: "", context: xml }) },
      );
      signed = Buffer.from(made.context, "base64").toString("utf8");
    }
    return Buffer.from(knobs.transform ? knobs.transform(signed) : signed, "utf8").toString("base64");
  }

  return {
    origin,
    entityId,
    ssoUrl,
    metadataUrl: `${origin}/metadata`,
    certificatePem: key.certificatePem,
    rogueCertificatePem: rogue.certificatePem,
    trust,
    nextSignIn(user, knobs = {}) {
      plan = { user, knobs };
    },
    respond: (user, knobs = {}) => makeResponse(user, { inResponseTo: null, ...knobs }),
    requests: () => accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The IdP's own login page: a user name, and the SP's request carried along in hidden fields. */
function loginPage(request: URLSearchParams, error: string | null): string {
  const hidden = ["SAMLRequest", "RelayState", "SigAlg", "Signature"]
    .filter((name) => request.has(name))
    .map((name) => `<input type="hidden" name="${name}" value="${escape(request.get(name)!)}">`)
    .join("");
  return (
    `<!doctype html><html lang="en"><head><title>Test SAML IdP</title></head><body><main>` +
    `<h1>Sign in to the test SAML identity provider</h1>` +
    (error ? `<p role="alert">${escape(error)}</p>` : "") +
    `<form method="post" action="/login">${hidden}` +
    `<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username" required></p>` +
    `<p><button type="submit">Continue</button></p></form></main></body></html>`
  );
}

function autoPostForm(action: string, samlResponse: string, relayState: string | null): string {
  const relay = relayState === null ? "" : `<input type="hidden" name="RelayState" value="${escape(relayState)}">`;
  return `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escape(action)}"><input type="hidden" name="SAMLResponse" value="${escape(samlResponse)}">${relay}<noscript><button>Continue</button></noscript></form></body></html>`;
}

/** What a browser does with the IdP's page: reads the auto-posting form. */
export function readPostedForm(html: string): PostedForm {
  const unescape = (v: string) =>
    v
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  const samlResponse = /name="SAMLResponse" value="([^"]*)"/.exec(html)?.[1];
  const relayState = /name="RelayState" value="([^"]*)"/.exec(html)?.[1];
  if (!action || !samlResponse) throw new Error("the IdP page holds no SAML form");
  return {
    action: unescape(action),
    SAMLResponse: unescape(samlResponse),
    RelayState: relayState === undefined ? null : unescape(relayState),
  };
}
