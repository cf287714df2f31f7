/**
 * With PostgreSQL the managed CA's key (and every other sealed secret) needs PORTCULLIS_SECRET_KEY: `npm start`, the
 * server it spawns and `npm run gateway` stop with one line when it is unset, before anything is built or opened.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { POSTGRES_NEEDS_SECRET_KEY, parseEnv, requireSecretKeyWithPostgres } from "@/lib/env.mjs";

const root = path.resolve(__dirname, "..", "..");
const KEY = Buffer.alloc(32, 7).toString("base64");

describe("PORTCULLIS_SECRET_KEY with PostgreSQL", () => {
  it.each(["scripts/start.mjs", "scripts/serve.mjs"])("%s stops with one line when it is unset", (script) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NEXT_DIST_DIR: ".next-env-check-never-built", PORTCULLIS_FORCE_BUILD: "1", DATABASE_URL: "postgres://127.0.0.1:1/never" };
    delete env.PORTCULLIS_SECRET_KEY;
    const r = spawnSync(process.execPath, [path.join(root, script)], { cwd: root, env, encoding: "utf8", timeout: 30_000 });
    expect(r.stderr).toBe(`${POSTGRES_NEEDS_SECRET_KEY}\n`);
    expect(r.stdout).toBe("");
    expect(r.status).toBe(1);
  });

  it("is required with DATABASE_URL only, and the line never shows the database URL", () => {
    expect(() => requireSecretKeyWithPostgres(parseEnv({ DATABASE_URL: "postgres://u:hunter2@db:5432/p" }))).toThrow(POSTGRES_NEEDS_SECRET_KEY);
    expect(POSTGRES_NEEDS_SECRET_KEY).not.toMatch(/hunter2|[\r\n]/);
    expect(requireSecretKeyWithPostgres(parseEnv({ DATABASE_URL: "postgres://db/p", PORTCULLIS_SECRET_KEY: KEY })).PORTCULLIS_SECRET_KEY?.length).toBe(32);
    expect(requireSecretKeyWithPostgres(parseEnv({})).DATABASE_URL).toBeUndefined();
  });
});
