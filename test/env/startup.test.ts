/**
 * `npm start` (scripts/start.mjs) and the server it spawns (scripts/serve.mjs) refuse a bad environment before
 * anything else starts: exit status 1, one line on stderr naming the variable and what is allowed, nothing built,
 * nothing served.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");

const CASES: [string, string, string][] = [
  ["GATEWAY_PORT", "abc", 'Invalid environment variable GATEWAY_PORT="abc": expected a port number from 0 to 65535.'],
  ["PORT", "99999", 'Invalid environment variable PORT="99999": expected a port number from 0 to 65535.'],
  ["DATABASE_URL", "localhost:5432/portcullis", "Invalid environment variable DATABASE_URL (value not shown): expected a PostgreSQL URL such as postgres://user:password@host:5432/database."],
  ["GATEWAY_WORKERS", "0", 'Invalid environment variable GATEWAY_WORKERS="0": expected a whole number from 1 to 256.'],
];

describe.each(["scripts/start.mjs", "scripts/serve.mjs"])("%s with a bad environment", (script) => {
  it.each(CASES)("%s=%s stops the start with one line", (name, value, line) => {
    const r = spawnSync(process.execPath, [path.join(root, script)], {
      cwd: root,
      // A fresh dist dir: were the check not first, start.mjs would begin a build here (and print that it does).
      env: { ...process.env, NEXT_DIST_DIR: ".next-env-check-never-built", PORTCULLIS_FORCE_BUILD: "1", [name]: value },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe("");
    expect(r.status).toBe(1);
  });
});
