import { describe, expect, it } from "vitest";

import { canonicalJson, eventHash, GENESIS_HASH } from "@/lib/audit/canonical";
import { bytesEncrypter, decryptBytes, decryptText, encryptText, UnknownKeyError } from "@/lib/crypto/encryption";
import { hashPassword, verifyPassword } from "@/lib/crypto/password";
import { newRecoveryCodes, normaliseRecoveryCode } from "@/lib/crypto/tokens";

describe("passwords", () => {
  it("hashes with scrypt and a salt, and verifies", async () => {
    const a = await hashPassword("correct horse battery staple");
    const b = await hashPassword("correct horse battery staple");
    expect(a).toMatch(/^scrypt\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("correct");
    expect(await verifyPassword("correct horse battery staple", a)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", a)).toBe(false);
    expect(await verifyPassword("x", null)).toBe(false);
    expect(await verifyPassword("x", "md5$abc")).toBe(false);
  });
});

describe("encryption", () => {
  it("encrypts bytes that arrive in pieces of any size to a value decryptBytes opens", () => {
    const plain = Buffer.from(Array.from({ length: 20_003 }, (_, i) => (i * 31 + (i >> 7)) & 0xff));
    for (const sizes of [[1], [2], [3], [7, 1, 4096], [20_003]]) {
      const sealed = bytesEncrypter("evidence-pack:1");
      for (let at = 0, i = 0; at < plain.length; at += sizes[i++ % sizes.length])
        sealed.update(plain.subarray(at, at + sizes[i % sizes.length]));
      const value = sealed.final();
      expect(value).toMatch(/^v1\.[^.]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(decryptBytes(value, "evidence-pack:1").equals(plain)).toBe(true);
      expect(() => decryptBytes(value, "evidence-pack:2")).toThrow();
    }
  });

  it("round-trips and records the key id", () => {
    const sealed = encryptText("JBSWY3DPEHPK3PXP", "mfa:1");
    expect(sealed.split(".")[0]).toBe("v1");
    expect(sealed).not.toContain("JBSWY3DP");
    expect(decryptText(sealed, "mfa:1")).toBe("JBSWY3DPEHPK3PXP");
  });
  it("refuses a value bound to another record", () => {
    expect(() => decryptText(encryptText("secret", "mfa:1"), "mfa:2")).toThrow();
  });
  it("refuses a tampered value", () => {
    const parts = encryptText("secret").split(".");
    parts[4] = Buffer.from("other!").toString("base64url");
    expect(() => decryptText(parts.join("."))).toThrow();
  });
  it("names an unknown key id", () => {
    const parts = encryptText("secret").split(".");
    parts[1] = "000000000000";
    expect(() => decryptText(parts.join("."))).toThrow(UnknownKeyError);
  });
});

describe("canonical encoding", () => {
  it("sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });
  it("hashes the same event the same way whatever the key order", () => {
    const base = {
      at: new Date(0),
      actorId: null,
      actorLabel: "system",
      action: "x",
      targetType: null,
      targetId: null,
      ip: null,
      userAgent: null,
      prevHash: GENESIS_HASH,
    };
    expect(eventHash({ ...base, data: { a: 1, b: 2 } })).toBe(eventHash({ ...base, data: { b: 2, a: 1 } }));
    expect(eventHash({ ...base, data: { a: 1 } })).not.toBe(eventHash({ ...base, data: { a: 2 } }));
  });
});

describe("recovery codes", () => {
  it("makes ten distinct readable codes", () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}$/);
  });
  it("normalises what people type", () => {
    expect(normaliseRecoveryCode(" ABCD 2345 ")).toBe("abcd-2345");
    expect(normaliseRecoveryCode("abcd-2345")).toBe("abcd-2345");
  });
});
