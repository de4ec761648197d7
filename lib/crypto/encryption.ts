import "server-only";

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import { sha256Hex } from "@/lib/crypto/hash";
import { env } from "@/lib/env";

/**
 * AES-256-GCM with the key id stored beside the ciphertext so keys can rotate:
 * "v1.<keyId>.<iv>.<tag>.<ciphertext>" (base64url parts).
 */

export class UnknownKeyError extends Error {
  constructor(keyId: string) {
    super(`No data-encryption key with id ${keyId} is configured (DATA_ENCRYPTION_KEY / DATA_ENCRYPTION_OLD_KEYS).`);
  }
}

type Key = { id: string; key: Buffer };

export function keyIdOf(key: Buffer): string {
  return sha256Hex(key).slice(0, 12);
}

function keyring(): { current: Key; all: Map<string, Buffer> } {
  const { DATA_ENCRYPTION_KEY, DATA_ENCRYPTION_OLD_KEYS } = env();
  const keys = [DATA_ENCRYPTION_KEY, ...DATA_ENCRYPTION_OLD_KEYS].map((k) => Buffer.from(k, "base64"));
  const all = new Map(keys.map((k) => [keyIdOf(k), k]));
  const current = { id: keyIdOf(keys[0]), key: keys[0] };
  return { current, all };
}

export function encryptBytes(plain: Buffer | string, associated = ""): string {
  const { current } = keyring();
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv);
  cipher.setAAD(Buffer.from(associated));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", current.id, iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join(".");
}

/**
 * The same sealed value as encryptBytes, for bytes that arrive in pieces
 * (an evidence pack as it is written): each piece is encrypted as it comes,
 * so the plaintext is never held whole.
 */
export function bytesEncrypter(associated = ""): { update: (piece: Buffer) => void; final: () => string } {
  const { current } = keyring();
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv);
  cipher.setAAD(Buffer.from(associated));
  // Ciphertext becomes base64url as it comes, three bytes at a time (what does not divide waits for the next piece).
  const text: string[] = [];
  let rest = Buffer.alloc(0);
  const encode = (bytes: Buffer, last: boolean) => {
    const joined = rest.length ? Buffer.concat([rest, bytes]) : bytes;
    const whole = last ? joined.length : joined.length - (joined.length % 3);
    text.push(joined.subarray(0, whole).toString("base64url"));
    rest = Buffer.from(joined.subarray(whole));
  };
  return {
    update: (piece) => encode(cipher.update(piece), false),
    final: () => {
      encode(cipher.final(), true);
      const tag = cipher.getAuthTag();
      return ["v1", current.id, iv.toString("base64url"), tag.toString("base64url"), text.splice(0).join("")].join(".");
    },
  };
}

export function decryptBytes(sealed: string, associated = ""): Buffer {
  const [version, keyId, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !keyId || !iv || !tag || body === undefined) throw new Error("Malformed encrypted value");
  const key = keyring().all.get(keyId);
  if (!key) throw new UnknownKeyError(keyId);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(associated));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
}

export const encryptText = (text: string, associated = "") => encryptBytes(Buffer.from(text, "utf8"), associated);
export const decryptText = (sealed: string, associated = "") => decryptBytes(sealed, associated).toString("utf8");

/** A configured data key (current or old) by its id, or undefined. */
export function dataKeyById(keyId: string): Buffer | undefined {
  return keyring().all.get(keyId);
}

export function currentKeyId(): string {
  return keyring().current.id;
}
