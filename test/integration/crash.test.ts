import { spawn } from "node:child_process";
import path from "node:path";
import { like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { settings } from "@/lib/db/schema";

const root = path.resolve(__dirname, "../..");

/** Runs the writer until it has acknowledged `atLeast` commits, then SIGKILLs it; returns the last ACK. */
function writeThenKill(atLeast: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // Run node itself (not the tsx CLI wrapper) so that SIGKILL hits the process that writes.
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "test/helpers/crash-writer.ts")], {
      cwd: root,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let last = 0;
    let buffer = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", (d) => {
      buffer += d;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("ACK ")) last = Number(line.slice(4));
      if (last >= atLeast && !child.killed) child.kill("SIGKILL");
    });
    child.on("exit", (code, signal) => (signal === "SIGKILL" ? resolve(last) : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe("crash safety", () => {
  it("keeps every acknowledged commit after SIGKILL, and the database opens cleanly again", async () => {
    const first = await writeThenKill(60);
    const second = await writeThenKill(first + 30).catch((e) => {
      throw new Error(`database did not reopen after SIGKILL: ${e.message}`);
    });
    expect(second).toBeGreaterThan(0);
    const db = await getDb();
    const rows = await db.select({ key: settings.key }).from(settings).where(like(settings.key, "crash-%"));
    const keys = new Set(rows.map((r) => r.key));
    // The second writer continues after the rows it found, so its own ACKs prove the first run's rows survived.
    for (let n = 1; n <= Math.max(first, second); n++) expect(keys.has(`crash-${n}`), `row ${n} missing`).toBe(true);
    // Two cold starts of a tsx child that opens and migrates the database: ~20 s on an idle 2-core machine, over a
    // minute when the rest of the suite competes for the cores.
  }, 180_000);
});
