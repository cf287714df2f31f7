/**
 * Gives each integration test file (each runs in its own process) a fresh database: a temp PGlite
 * directory, or a new PostgreSQL database created next to TEST_DATABASE_URL and dropped afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { closeDb } from "@/lib/db/client";

const engine = process.env.PORTCULLIS_TEST_ENGINE ?? "pglite";
let cleanup: () => Promise<void> = async () => undefined;

if (engine === "postgres") {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("TEST_DATABASE_URL is required for the postgres project");
  const pg = (await import("pg")).default;
  const name = `portcullis_t_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  cleanup = async () => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
} else {
  delete process.env.DATABASE_URL;
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-test-"));
  process.env.PORTCULLIS_DATA_DIR = dir;
  cleanup = async () => rmSync(dir, { recursive: true, force: true });
}

afterAll(async () => {
  await closeDb();
  await cleanup();
});
