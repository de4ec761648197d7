import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { defaultAuthUrl, parseEnv } from "@/lib/env";

const key = Buffer.alloc(32, 1).toString("base64");

describe("configuration", () => {
  it("gives next-auth APP_URL as NEXTAUTH_URL when it is unset, and leaves a set one alone", () => {
    const fromApp: Record<string, string | undefined> = { APP_URL: "https://clearance.example.com" };
    defaultAuthUrl(fromApp);
    expect(fromApp.NEXTAUTH_URL).toBe("https://clearance.example.com");
    const neither: Record<string, string | undefined> = {};
    defaultAuthUrl(neither);
    expect(neither.NEXTAUTH_URL).toBe("http://localhost:3000");
    const own: Record<string, string | undefined> = { APP_URL: "https://a.example", NEXTAUTH_URL: "https://b.example" };
    defaultAuthUrl(own);
    expect(own.NEXTAUTH_URL).toBe("https://b.example");
  });

  it("requires the secrets in production and names them", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(
      /NEXTAUTH_SECRET: required in production[\s\S]*DATA_ENCRYPTION_KEY[\s\S]*AUDIT_CHAIN_KEY/,
    );
    expect(() =>
      parseEnv({ NODE_ENV: "production", NEXTAUTH_SECRET: "x".repeat(40), DATA_ENCRYPTION_KEY: key }),
    ).toThrow(/AUDIT_CHAIN_KEY: required in production/);
    expect(() =>
      parseEnv({
        NODE_ENV: "production",
        NEXTAUTH_SECRET: "x".repeat(40),
        DATA_ENCRYPTION_KEY: key,
        AUDIT_CHAIN_KEY: key,
        AUDIT_CHAIN_OLD_KEYS: "short",
      }),
    ).toThrow(/AUDIT_CHAIN_OLD_KEYS/);
  });
  it("names a bad value", () => {
    expect(() =>
      parseEnv({ NODE_ENV: "production", NEXTAUTH_SECRET: "x".repeat(40), DATA_ENCRYPTION_KEY: "short" }),
    ).toThrow(/DATA_ENCRYPTION_KEY: must be 32 bytes/);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgres/);
  });
  it("generates development secrets once and keeps them", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-env-"));
    const first = parseEnv({ NODE_ENV: "development", DATA_DIR: dir });
    const second = parseEnv({ NODE_ENV: "development", DATA_DIR: dir });
    expect(first.NEXTAUTH_SECRET).toHaveLength(43);
    expect(second.NEXTAUTH_SECRET).toBe(first.NEXTAUTH_SECRET);
    expect(second.DATA_ENCRYPTION_KEY).toBe(first.DATA_ENCRYPTION_KEY);
    expect(Buffer.from(first.AUDIT_CHAIN_KEY, "base64")).toHaveLength(32);
    expect(second.AUDIT_CHAIN_KEY).toBe(first.AUDIT_CHAIN_KEY);
  });
  it("adds a development chain key to a secrets file made before it existed, keeping the others", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-env-"));
    const older = { NEXTAUTH_SECRET: "n".repeat(43), DATA_ENCRYPTION_KEY: key };
    writeFileSync(path.join(dir, "dev-secrets.json"), JSON.stringify(older));
    const env = parseEnv({ NODE_ENV: "development", DATA_DIR: dir });
    expect(env).toMatchObject(older);
    expect(JSON.parse(readFileSync(path.join(dir, "dev-secrets.json"), "utf8"))).toEqual({
      ...older,
      AUDIT_CHAIN_KEY: env.AUDIT_CHAIN_KEY,
    });
  });
  it("accepts a complete production configuration", () => {
    const env = parseEnv({
      NODE_ENV: "production",
      NEXTAUTH_SECRET: "x".repeat(40),
      DATA_ENCRYPTION_KEY: key,
      AUDIT_CHAIN_KEY: key,
      DATABASE_URL: "postgres://u@h/db",
    });
    expect(env.SEED_DEMO).toBe(false);
    expect(env.DATABASE_URL).toBe("postgres://u@h/db");
    expect(env.ACCESS_API_PORT).toBeUndefined();
  });
  it("turns the decision listener on with a port, on loopback unless a host is named", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-env-"));
    expect(parseEnv({ DATA_DIR: dir, ACCESS_API_PORT: "3101" })).toMatchObject({
      ACCESS_API_PORT: 3101,
      ACCESS_API_HOST: "127.0.0.1",
    });
    expect(parseEnv({ DATA_DIR: dir, ACCESS_API_PORT: "" }).ACCESS_API_PORT).toBeUndefined();
    expect(() => parseEnv({ DATA_DIR: dir, ACCESS_API_PORT: "70000" })).toThrow(/ACCESS_API_PORT/);
    expect(() => parseEnv({ DATA_DIR: dir, ACCESS_API_PORT: "web" })).toThrow(/ACCESS_API_PORT/);
  });
  it("ticks the worker every minute unless WORKER_INTERVAL_SECONDS says otherwise, from 1 second to an hour", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-env-"));
    expect(parseEnv({ DATA_DIR: dir }).WORKER_INTERVAL_SECONDS).toBe(60);
    expect(parseEnv({ DATA_DIR: dir, WORKER_INTERVAL_SECONDS: "2" }).WORKER_INTERVAL_SECONDS).toBe(2);
    expect(parseEnv({ DATA_DIR: dir, WORKER_INTERVAL_SECONDS: "" }).WORKER_INTERVAL_SECONDS).toBe(60);
    for (const bad of ["0", "3601", "1.5", "soon"])
      expect(() => parseEnv({ DATA_DIR: dir, WORKER_INTERVAL_SECONDS: bad })).toThrow(/WORKER_INTERVAL_SECONDS/);
  });
  it("takes a time-stamping authority over https, or plain http on loopback only when allowed outside production", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-env-"));
    const production = {
      NODE_ENV: "production",
      NEXTAUTH_SECRET: "x".repeat(40),
      DATA_ENCRYPTION_KEY: key,
      AUDIT_CHAIN_KEY: key,
    };
    expect(parseEnv({ ...production, TSA_URL: "https://tsa.example.com/tsr" }).TSA_URL).toBe(
      "https://tsa.example.com/tsr",
    );
    expect(parseEnv({ DATA_DIR: dir }).TSA_URL).toBeUndefined();
    expect(() => parseEnv({ DATA_DIR: dir, TSA_URL: "tsa.example.com" })).toThrow(/TSA_URL: must be a URL/);
    expect(() => parseEnv({ DATA_DIR: dir, TSA_URL: "http://tsa.example.com/tsr" })).toThrow(
      /TSA_URL: must be an https:\/\/ URL/,
    );
    expect(() => parseEnv({ DATA_DIR: dir, TSA_URL: "http://127.0.0.1:9/tsr" })).toThrow(/TSA_URL/);
    expect(
      parseEnv({ DATA_DIR: dir, TSA_URL: "http://127.0.0.1:9/tsr", TSA_ALLOW_LOOPBACK_HTTP: "true" }).TSA_URL,
    ).toBe("http://127.0.0.1:9/tsr");
    expect(() =>
      parseEnv({ ...production, TSA_URL: "http://127.0.0.1:9/tsr", TSA_ALLOW_LOOPBACK_HTTP: "true" }),
    ).toThrow(/TSA_URL/);
    expect(() => parseEnv({ DATA_DIR: dir, TSA_URL: "http://10.0.0.5/tsr", TSA_ALLOW_LOOPBACK_HTTP: "true" })).toThrow(
      /TSA_URL/,
    );
    expect(() => parseEnv({ ...production, TSA_URL: "https://user:secret@tsa.example.com/" })).toThrow(
      /TSA_URL: must not carry a user name or password/,
    );
  });

  it("takes how seals treat revocation data, optional by default, and a CRL URL over http or https", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-env-"));
    expect(parseEnv({ DATA_DIR: dir }).SEAL_REVOCATION).toBe("optional");
    expect(parseEnv({ DATA_DIR: dir, SEAL_REVOCATION: "required" }).SEAL_REVOCATION).toBe("required");
    expect(() => parseEnv({ DATA_DIR: dir, SEAL_REVOCATION: "always" })).toThrow(/SEAL_REVOCATION/);
    // CRLs are signed by their CA, so plain http (the usual scheme of distribution points) is fine.
    expect(parseEnv({ DATA_DIR: dir, SEAL_CRL_URL: "http://crl.example.com/seal.crl" }).SEAL_CRL_URL).toBe(
      "http://crl.example.com/seal.crl",
    );
    expect(() => parseEnv({ DATA_DIR: dir, SEAL_CRL_URL: "ldap://crl.example.com/cn=x" })).toThrow(
      /SEAL_CRL_URL: must be an http/,
    );
  });
});
