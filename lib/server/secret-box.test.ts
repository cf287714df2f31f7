import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseEnv } from "../env.mjs";
import { KEY_FILE, openSecret, openWith, POSTGRES_NEEDS_KEY, sealSecret, sealWith, SecretBoxError, secretKey, SecretKeyUnavailable } from "./secret-box";

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 9);
const VARS = ["PORTCULLIS_SECRET_KEY", "DATABASE_URL", "PORTCULLIS_DATA_DIR"] as const;

describe("sealWith / openWith (AES-256-GCM)", () => {
  it("round-trips, with a fresh IV each time", () => {
    const a = sealWith(KEY, "client-secret-ü", "login_method.client_secret");
    const b = sealWith(KEY, "client-secret-ü", "login_method.client_secret");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
    expect(a).not.toContain("client-secret");
    expect(openWith(KEY, a, "login_method.client_secret")).toBe("client-secret-ü");
    expect(openWith(KEY, b, "login_method.client_secret")).toBe("client-secret-ü");
  });

  it("refuses a value sealed for another purpose, under another key, or altered", () => {
    const sealed = sealWith(KEY, "s3cret", "login_method.client_secret");
    expect(() => openWith(KEY, sealed, "ca.private_key")).toThrow(SecretBoxError);
    expect(() => openWith(OTHER, sealed, "login_method.client_secret")).toThrow(/another key/);
    const [v, kid, payload] = sealed.split(":");
    const bytes = Buffer.from(payload, "base64url");
    bytes[bytes.length - 20] ^= 1;
    expect(() => openWith(KEY, `${v}:${kid}:${bytes.toString("base64url")}`, "login_method.client_secret")).toThrow(/altered/);
    expect(() => openWith(KEY, "plain text", "login_method.client_secret")).toThrow(/format/);
    expect(() => openWith(KEY, `${v}:${kid}:AAAA`, "login_method.client_secret")).toThrow(/truncated/);
  });
});

describe("secretKey: where the key comes from", () => {
  const saved: Partial<Record<(typeof VARS)[number], string>> = {};
  let dir: string;
  beforeEach(() => {
    for (const k of VARS) saved[k] = process.env[k];
    for (const k of VARS) delete process.env[k];
    dir = mkdtempSync(path.join(os.tmpdir(), "secret-box-"));
  });
  afterEach(() => {
    for (const k of VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("PORTCULLIS_SECRET_KEY when set (base64, 32 bytes)", () => {
    process.env.PORTCULLIS_SECRET_KEY = KEY.toString("base64");
    process.env.DATABASE_URL = "postgres://u@127.0.0.1:5432/db";
    expect(secretKey().equals(KEY)).toBe(true);
    const sealed = sealSecret("x", "p");
    expect(openWith(KEY, sealed, "p")).toBe("x");
  });

  it("embedded database without the variable: generated once into the data directory, mode 0600", () => {
    process.env.PORTCULLIS_DATA_DIR = dir;
    const sealed = sealSecret("first", "p");
    const file = path.join(dir, KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = readFileSync(file, "utf8");
    expect(Buffer.from(stored.trim(), "base64")).toHaveLength(32);
    // Another process (a fresh module cache is not needed: the file is what decides) reads the same key.
    expect(openSecret(sealed, "p")).toBe("first");
    expect(readFileSync(file, "utf8")).toBe(stored);
  });

  it("a damaged key file is a clear error, never a silently new key", () => {
    process.env.PORTCULLIS_DATA_DIR = dir;
    writeFileSync(path.join(dir, KEY_FILE), "not a key\n", { mode: 0o600 });
    expect(() => secretKey()).toThrow(SecretKeyUnavailable);
    expect(() => secretKey()).toThrow(/does not hold 32 bytes/);
  });

  it("PostgreSQL without the variable: no key, and the message says what to set", () => {
    process.env.DATABASE_URL = "postgres://u@127.0.0.1:5432/db";
    expect(() => sealSecret("x", "p")).toThrow(SecretKeyUnavailable);
    expect(() => secretKey()).toThrow(POSTGRES_NEEDS_KEY);
  });
});

describe("PORTCULLIS_SECRET_KEY in the validated environment", () => {
  it("accepts 32 bytes in base64 (standard or URL-safe) and names the variable without its value otherwise", () => {
    expect(parseEnv({ PORTCULLIS_SECRET_KEY: KEY.toString("base64") }).PORTCULLIS_SECRET_KEY?.equals(KEY)).toBe(true);
    expect(parseEnv({ PORTCULLIS_SECRET_KEY: OTHER.toString("base64url") }).PORTCULLIS_SECRET_KEY?.equals(OTHER)).toBe(true);
    for (const bad of [Buffer.alloc(16).toString("base64"), "not base64!", Buffer.alloc(33).toString("base64")]) {
      expect(() => parseEnv({ PORTCULLIS_SECRET_KEY: bad })).toThrow(
        "Invalid environment variable PORTCULLIS_SECRET_KEY (value not shown): expected 32 bytes in base64, e.g. the output of `openssl rand -base64 32`.",
      );
    }
  });
});
