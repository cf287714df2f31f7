import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { env, EnvError, ENV_VARIABLES, parseEnv } from "./env.mjs";

/** The one line parseEnv throws for `source`. */
function line(source: Record<string, string>): string {
  try {
    parseEnv(source);
  } catch (e) {
    expect(e).toBeInstanceOf(EnvError);
    return (e as Error).message;
  }
  throw new Error("parseEnv accepted the environment");
}

describe("parseEnv", () => {
  it("accepts an empty environment, and treats empty values as unset", () => {
    expect(parseEnv({})).toMatchObject({ PORT: undefined, GATEWAY_WORKERS: undefined });
    expect(parseEnv({ PORT: "", GATEWAY_PORT: "  ", DATABASE_URL: "" })).toMatchObject({ PORT: undefined, GATEWAY_PORT: undefined, DATABASE_URL: undefined });
  });

  it("turns good values into typed ones", () => {
    const e = parseEnv({
      PORT: "3000",
      GATEWAY_PORT: "0",
      GATEWAY_WORKERS: "4",
      DATABASE_URL: "postgres://portcullis:s3cret@db.internal:5432/portcullis",
      DATABASE_POOL_SIZE: "20",
      PORTCULLIS_TRUST_PROXY: "true",
      PORTCULLIS_FORCE_BUILD: "0",
      PORTCULLIS_API_RATE_LIMIT: "100/1m",
      PORTCULLIS_ADMIN_EMAIL: " Admin@Example.com ",
      PORTCULLIS_ADMIN_PASSWORD: "x",
    });
    expect(e).toMatchObject({
      PORT: 3000,
      GATEWAY_PORT: 0,
      GATEWAY_WORKERS: 4,
      DATABASE_POOL_SIZE: 20,
      PORTCULLIS_TRUST_PROXY: true,
      PORTCULLIS_FORCE_BUILD: false,
      PORTCULLIS_API_RATE_LIMIT: { max: 100, windowSeconds: 60 },
      PORTCULLIS_ADMIN_EMAIL: "admin@example.com",
    });
    expect(parseEnv({ DATABASE_URL: "postgresql:///portcullis?host=/var/run/postgresql" }).DATABASE_URL).toBe("postgresql:///portcullis?host=/var/run/postgresql");
  });

  it("GATEWAY_PORT=abc", () => {
    expect(line({ GATEWAY_PORT: "abc" })).toBe('Invalid environment variable GATEWAY_PORT="abc": expected a port number from 0 to 65535.');
  });

  it("PORT=99999", () => {
    expect(line({ PORT: "99999" })).toBe('Invalid environment variable PORT="99999": expected a port number from 0 to 65535.');
    expect(line({ PORT: "-1" })).toBe('Invalid environment variable PORT="-1": expected a port number from 0 to 65535.');
  });

  it("a malformed DATABASE_URL, without showing the value (it may hold a password)", () => {
    const expected = "Invalid environment variable DATABASE_URL (value not shown): expected a PostgreSQL URL such as postgres://user:password@host:5432/database.";
    expect(line({ DATABASE_URL: "localhost:5432/portcullis" })).toBe(expected);
    expect(line({ DATABASE_URL: "postgres://admin:hunter2@db:port/x" })).toBe(expected);
    expect(line({ DATABASE_URL: "mysql://admin:hunter2@db/x" })).toBe(expected);
    expect(line({ DATABASE_URL: "mysql://admin:hunter2@db/x" })).not.toContain("hunter2");
  });

  it("GATEWAY_WORKERS=0", () => {
    expect(line({ GATEWAY_WORKERS: "0" })).toBe('Invalid environment variable GATEWAY_WORKERS="0": expected a whole number from 1 to 256.');
    expect(line({ GATEWAY_WORKERS: "2.5" })).toBe('Invalid environment variable GATEWAY_WORKERS="2.5": expected a whole number from 1 to 256.');
  });

  it("the rest of the named kinds: flags, rate limit, milliseconds, URLs, emails", () => {
    expect(line({ PORTCULLIS_TRUST_PROXY: "maybe" })).toBe('Invalid environment variable PORTCULLIS_TRUST_PROXY="maybe": expected 1, true, yes or on (or 0, false, no, off).');
    expect(line({ PORTCULLIS_API_RATE_LIMIT: "lots" })).toBe(
      'Invalid environment variable PORTCULLIS_API_RATE_LIMIT="lots": expected requests per window: "1200" (per 5 minutes), "1200/300" (per 300 s) or "100/1m".',
    );
    expect(line({ GATEWAY_HEADERS_TIMEOUT_MS: "soon" })).toBe('Invalid environment variable GATEWAY_HEADERS_TIMEOUT_MS="soon": expected a whole number of milliseconds from 100 to 600000.');
    expect(line({ PORTCULLIS_URL: "portcullis.example.com" })).toBe('Invalid environment variable PORTCULLIS_URL="portcullis.example.com": expected a URL such as https://portcullis.example.com.');
    expect(line({ PORTCULLIS_ADMIN_EMAIL: "admin", PORTCULLIS_ADMIN_PASSWORD: "pw" })).toBe('Invalid environment variable PORTCULLIS_ADMIN_EMAIL="admin": expected an email address.');
  });

  it("variables that only work together", () => {
    expect(line({ GATEWAY_CERT: "/etc/gw.crt" })).toBe("Invalid environment variable GATEWAY_CERT is set without GATEWAY_KEY: set all of GATEWAY_CERT, GATEWAY_KEY or none.");
    expect(line({ PORTCULLIS_ADMIN_PASSWORD: "pw" })).toBe(
      "Invalid environment variable PORTCULLIS_ADMIN_PASSWORD is set without PORTCULLIS_ADMIN_EMAIL: set all of PORTCULLIS_ADMIN_EMAIL, PORTCULLIS_ADMIN_PASSWORD or none.",
    );
    expect(line({ OIDC_ISSUER: "https://idp.example.com", OIDC_CLIENT_ID: "portcullis" })).toBe(
      "Invalid environment variable OIDC_ISSUER and OIDC_CLIENT_ID are set without OIDC_CLIENT_SECRET: set all of OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET or none.",
    );
  });

  it("names every bad variable on the one line", () => {
    const msg = line({ GATEWAY_PORT: "abc", PORT: "99999" });
    expect(msg.split("\n")).toHaveLength(1);
    expect(msg).toBe('Invalid environment variables PORT="99999": expected a port number from 0 to 65535; GATEWAY_PORT="abc": expected a port number from 0 to 65535.');
  });

  it("keeps a value with a line break on one line", () => {
    expect(line({ GATEWAY_PORT: "80\n81" }).split("\n")).toHaveLength(1);
  });
});

describe("env()", () => {
  const saved = process.env.GATEWAY_WORKERS;
  afterEach(() => {
    if (saved === undefined) delete process.env.GATEWAY_WORKERS;
    else process.env.GATEWAY_WORKERS = saved;
  });

  it("reads process.env again when a listed variable changes", () => {
    process.env.GATEWAY_WORKERS = "3";
    expect(env().GATEWAY_WORKERS).toBe(3);
    process.env.GATEWAY_WORKERS = "5";
    expect(env().GATEWAY_WORKERS).toBe(5);
    process.env.GATEWAY_WORKERS = "0";
    expect(() => env()).toThrow('Invalid environment variable GATEWAY_WORKERS="0": expected a whole number from 1 to 256.');
  });

  it("lists every variable of the README's Configuration table", () => {
    const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1));
    const documented = [...section.matchAll(/^\| (.+?) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((v) => v[1]));
    expect(documented.length).toBeGreaterThan(15);
    expect(documented.filter((name) => !(ENV_VARIABLES as string[]).includes(name))).toEqual([]);
  });
});
