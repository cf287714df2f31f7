/**
 * Encryption at rest for secrets Portcullis must be able to read back (an identity provider's client secret; the
 * managed CA's private key later): AES-256-GCM with a random 96-bit IV per value and a purpose string as additional
 * authenticated data, so a value sealed for one purpose cannot be moved into another column and still open.
 *
 * The key:
 * - `PORTCULLIS_SECRET_KEY` (32 bytes in base64, validated by lib/env.mjs) when set — the same on every instance;
 * - otherwise, on the embedded database only, a key generated on first use into the data directory
 *   (`secret.key`, mode 0600, next to the database it protects: a copy of the data directory without it is useless
 *   for the secrets, a backup of both is not);
 * - otherwise (PostgreSQL without the variable) none: `SecretKeyUnavailable`, whose message says what to set. Several
 *   instances share one PostgreSQL and there is no file they all see, so a generated key would differ per instance.
 *
 * A sealed value reads `v1:<key id>:<base64url of IV | ciphertext | tag>`; the key id (8 hex digits of the key's
 * SHA-256) lets a value sealed under another key fail with a sentence saying so instead of a bare authentication error.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import path from "node:path";
import { dataDir } from "../db/client";
import { env, parseSecretKey } from "../env.mjs";

export const KEY_FILE = "secret.key";
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** No key to seal or open secrets with; `message` is the sentence to show an admin. */
export class SecretKeyUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretKeyUnavailable";
  }
}

/** A sealed value that does not open: altered, sealed for another purpose, or under another key. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretBoxError";
  }
}

export const POSTGRES_NEEDS_KEY =
  "PORTCULLIS_SECRET_KEY is not set. With PostgreSQL, secrets are encrypted at rest with that key, the same on every instance: set it to 32 random bytes in base64 (for example the output of `openssl rand -base64 32`), restart, and save again.";

const keyId = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);

/** Reads the data directory's key file, creating it (mode 0600) when it does not exist yet. */
function fileKey(dir: string): Buffer {
  const file = path.join(dir, KEY_FILE);
  mkdirSync(dir, { recursive: true });
  try {
    // "wx": only one creator wins; a concurrent start reads the winner's key below.
    const fd = openSync(file, "wx", 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString("base64")}\n`);
    } finally {
      closeSync(fd);
    }
    // The process umask cannot widen 0600, but an explicit chmod states the intent on every platform.
    chmodSync(file, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  const key = parseSecretKey(readFileSync(file, "utf8").trim());
  if (!key) throw new SecretKeyUnavailable(`The key file ${file} does not hold 32 bytes in base64. Restore it from a backup, or set PORTCULLIS_SECRET_KEY.`);
  return key;
}

let cached: { source: string; key: Buffer } | null = null;

/**
 * The key secrets are sealed with (see the module comment for where it comes from). Throws SecretKeyUnavailable on
 * PostgreSQL without PORTCULLIS_SECRET_KEY.
 */
export function secretKey(): Buffer {
  const e = env();
  const source = e.PORTCULLIS_SECRET_KEY ? "env" : e.DATABASE_URL ? "postgres" : `file:${dataDir()}`;
  if (cached?.source === source && (source !== "env" || cached.key.equals(e.PORTCULLIS_SECRET_KEY as Buffer))) return cached.key;
  let key: Buffer;
  if (e.PORTCULLIS_SECRET_KEY) key = e.PORTCULLIS_SECRET_KEY;
  else if (e.DATABASE_URL) throw new SecretKeyUnavailable(POSTGRES_NEEDS_KEY);
  else key = fileKey(dataDir());
  cached = { source, key };
  return key;
}

/** Seals `plaintext` for `purpose` (e.g. "login_method.client_secret") under `key`. */
export function sealWith(key: Buffer, plaintext: string, purpose: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(purpose, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}:${keyId(key)}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
}

/** Opens a value sealed by `sealWith` for the same purpose and key; throws SecretBoxError otherwise. */
export function openWith(key: Buffer, sealed: string, purpose: string): string {
  const [version, kid, payload, ...rest] = sealed.split(":");
  if (version !== VERSION || !kid || payload === undefined || rest.length) throw new SecretBoxError("The stored secret is not in a format this version reads.");
  if (kid !== keyId(key)) {
    throw new SecretBoxError("The stored secret was encrypted with another key than the current one (PORTCULLIS_SECRET_KEY or the data directory's secret.key changed). Enter the secret again.");
  }
  const raw = Buffer.from(payload, "base64url");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError("The stored secret is truncated.");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(purpose, "utf8"));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("The stored secret does not decrypt: it was altered, or sealed for another use.");
  }
}

/** `sealWith` under the installation's key (`secretKey`). */
export function sealSecret(plaintext: string, purpose: string): string {
  return sealWith(secretKey(), plaintext, purpose);
}

/** `openWith` under the installation's key (`secretKey`). */
export function openSecret(sealed: string, purpose: string): string {
  return openWith(secretKey(), sealed, purpose);
}
