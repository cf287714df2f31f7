/**
 * The access-log writer (lib/domain/access-log/write): what a row holds comes back exactly as it was recorded,
 * whatever characters its text has (PGlite writes batches with COPY, PostgreSQL with one JSON statement), the
 * certificates a row references are stored with it, and identical requests of the same second share a row.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { getDb, getDbHandle } from "@/lib/db/client";
import { accessSummary, flushAccessLog, forgetWrittenCertificates, listAccessLog, recordAccess } from "@/lib/domain/access-log";

const APP = "6f1c2a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";

describe("access-log writer", () => {
  it("stores text with tabs, newlines, backslashes, quotes, braces and non-ASCII as recorded; NUL is dropped; NULLs stay NULL", async () => {
    const odd = 'tab\there\nnew line\r\\N \\. back\\slash "quoted" {brace,comma} é 雪 😀';
    const at = new Date("2026-12-05T10:11:12.345Z");
    recordAccess({ at, hostname: "write.test", applicationId: APP, applicationName: odd, clientCn: "CN\0with NUL", serialNumber: null, decision: "deny", policyId: null, policyName: "\\", reason: odd, ip: null, path: "/a\tb?c=\\d" });
    recordAccess({ at, hostname: "write.test", applicationId: null, applicationName: null, clientCn: null, serialNumber: "0A", decision: "allow", policyId: APP, policyName: "", reason: null, ip: "::1", path: null });
    await flushAccessLog();
    const items = (await listAccessLog({ hostname: "write.test" })).items.sort((a, b) => a.decision.localeCompare(b.decision));
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ at: at.toISOString(), hostname: "write.test", decision: "allow", application_id: null, application_name: null, client_cn: null, serial_number: "0A", policy_id: APP, policy_name: "", reason: null, ip: "::1", path: null, chain_sha256: [] });
    expect(items[1]).toMatchObject({ decision: "deny", application_id: APP, application_name: odd, client_cn: "CNwith NUL", serial_number: null, policy_id: null, policy_name: "\\", reason: odd, ip: null, path: "/a\tb?c=\\d" });
  });

  it("clips long text between characters, never inside one, and stores a lone surrogate as U+FFFD; the rows after it are stored too", async () => {
    const at = new Date("2026-12-05T10:11:12.345Z");
    // Clipped at 500 (CN), 1000 (reason) and 4096 (path) characters, each limit falling inside an emoji's surrogate pair.
    recordAccess({ at, hostname: "write-clip.test", applicationId: null, applicationName: "lone \uD800 high, lone \uDC00 low", clientCn: `${"a".repeat(499)}😀`, serialNumber: null, decision: "deny", policyId: null, policyName: null, reason: `${"r".repeat(999)}😀`, ip: null, path: `/${"b".repeat(4094)}😀` });
    recordAccess({ at, hostname: "write-clip.test", applicationId: null, applicationName: null, clientCn: "after", serialNumber: null, decision: "allow", policyId: null, policyName: null, reason: null, ip: null, path: "/after" });
    await flushAccessLog();
    const items = (await listAccessLog({ hostname: "write-clip.test" })).items.sort((a, b) => a.decision.localeCompare(b.decision));
    expect(items.map((i) => i.client_cn)).toEqual(["after", "a".repeat(499)]);
    expect(items[1]).toMatchObject({ application_name: "lone \uFFFD high, lone \uFFFD low", reason: "r".repeat(999), path: `/${"b".repeat(4094)}` });
  });

  it("drops only a row the database refuses, with an error saying so; the rows around it and after it are stored", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const row = (i: number, applicationId: string | null = null) =>
        recordAccess({ at: new Date(), hostname: "write-refused.test", applicationId, applicationName: null, clientCn: null, serialNumber: null, decision: "allow", policyId: null, policyName: null, reason: `r${i}`, ip: null, path: null });
      for (let i = 0; i < 7; i++) row(i, i === 4 ? "not-a-uuid" : null);
      await flushAccessLog();
      row(7);
      await flushAccessLog();
      const items = (await listAccessLog({ hostname: "write-refused.test" }, 50)).items;
      expect(items.map((i) => i.reason).sort()).toEqual(["r0", "r1", "r2", "r3", "r5", "r6", "r7"]);
      const said = errors.mock.calls.map((c) => c.join(" "));
      expect(said.filter((m) => /1 row was dropped: the database refused it \(.*uuid.*not-a-uuid/.test(m))).toHaveLength(1);
      // Refused data is not retried as if the database were unavailable.
      expect(said.filter((m) => /insert failed/.test(m))).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  });

  it("queues the rows not stored yet again when the database fails while a refused batch is being split, and stores each once", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const handle = await getDbHandle();
    // The statement the writer sends: PGlite's query (COPY), PostgreSQL's execute (drizzle).
    const target = (handle.engine === "pglite" ? handle.raw : handle.db) as Record<string, (...args: unknown[]) => unknown>;
    const method = handle.engine === "pglite" ? "query" : "execute";
    const original = target[method].bind(target);
    let calls = 0;
    // The third statement (the split batch's second half) fails as a lost connection would.
    const spy = vi.spyOn(target, method).mockImplementation((...args: unknown[]) => (++calls === 3 ? Promise.reject(new Error("connection lost")) : original(...args)));
    try {
      for (let i = 0; i < 8; i++)
        recordAccess({ at: new Date(), hostname: "write-split.test", applicationId: i === 4 ? "not-a-uuid" : null, applicationName: null, clientCn: null, serialNumber: null, decision: "allow", policyId: null, policyName: null, reason: `r${i}`, ip: null, path: null });
      await flushAccessLog();
      expect(calls).toBe(3);
      expect(errors.mock.calls.map((c) => c.join(" "))).toEqual([expect.stringMatching(/insert failed: connection lost/)]);
      spy.mockRestore();
      await flushAccessLog();
      const items = (await listAccessLog({ hostname: "write-split.test" }, 50)).items;
      expect(items.map((i) => i.reason).sort()).toEqual(["r0", "r1", "r2", "r3", "r5", "r6", "r7"]);
      expect(errors.mock.calls.map((c) => c.join(" ")).filter((m) => /1 row was dropped: the database refused it/.test(m))).toHaveLength(1);
    } finally {
      spy.mockRestore();
      errors.mockRestore();
    }
  });

  it("stores each referenced certificate once, with the rows that reference it, in one batch of many rows", async () => {
    forgetWrittenCertificates();
    const leaf = Buffer.from(`leaf ${Math.random()}`);
    const issuer = Buffer.from(`issuer ${Math.random()}`);
    const hex = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    for (let i = 0; i < 2500; i++) {
      // a new Buffer per row, as rows from new connections (or another process) have
      recordAccess({ at: new Date(), hostname: "write-chain.test", applicationId: null, applicationName: null, clientCn: "x", serialNumber: null, decision: "allow", policyId: null, policyName: null, reason: `r${i}`, ip: "127.0.0.1", path: `/${i}`, chain: [Buffer.from(leaf), Buffer.from(issuer)] });
    }
    await flushAccessLog();
    const db = await getDb();
    const count = (await db.execute(sql`select count(*)::int as n, count(distinct path)::int as paths, min(array_to_string(chain_sha256, ',')) as lo, max(array_to_string(chain_sha256, ',')) as hi from access_log where hostname = 'write-chain.test'`)) as unknown as { rows: { n: number; paths: number; lo: string; hi: string }[] };
    expect(count.rows[0]).toEqual({ n: 2500, paths: 2500, lo: `${hex(leaf)},${hex(issuer)}`, hi: `${hex(leaf)},${hex(issuer)}` });
    const seen = (await db.execute(sql`select sha256, der from client_certificates_seen where sha256 in (${hex(leaf)}, ${hex(issuer)}) order by sha256`)) as unknown as { rows: { sha256: string; der: Uint8Array }[] };
    expect(seen.rows.map((r) => [r.sha256, Buffer.from(r.der).toString()]).sort()).toEqual([[hex(leaf), leaf.toString()], [hex(issuer), issuer.toString()]].sort());
  });

  it("stores identical requests of the same second as one row with their count, and the Overview counts every request", async () => {
    const app = `Fold app ${Math.random()}`;
    const entry = { hostname: "write-fold.test", applicationId: null, applicationName: app, clientCn: "x", serialNumber: "0A", decision: "allow" as const, policyId: null, policyName: null, reason: "ok", ip: "127.0.0.1", path: "/p" };
    const sec = Date.parse("2026-12-05T10:30:00Z");
    // Five identical requests within one second (logged out of order), one in the next second, one that differs (blocked).
    for (const ms of [300, 100, 999, 400, 500]) recordAccess({ ...entry, at: new Date(sec + ms) });
    recordAccess({ ...entry, at: new Date(sec + 1_000) });
    recordAccess({ ...entry, at: new Date(sec + 200), decision: "deny" });
    await flushAccessLog();
    const items = (await listAccessLog({ hostname: "write-fold.test" }, 50)).items.filter((i) => i.application_name === app);
    expect(items.map((i) => [i.at, i.decision, i.requests])).toEqual([
      [new Date(sec + 1_000).toISOString(), "allow", 1],
      [new Date(sec + 200).toISOString(), "deny", 1],
      [new Date(sec + 100).toISOString(), "allow", 5],
    ]);
    const counts = async (now: string) => (await accessSummary(24, new Date(now))).find((r) => r.application === app);
    // From the hourly roll-up (the trigger adds up requests), and from the rows themselves for a window's first part-hour.
    expect(await counts("2026-12-06T09:59:00Z")).toEqual({ application: app, allowed: 6, blocked: 1 });
    expect(await counts("2026-12-06T10:29:59.999Z")).toEqual({ application: app, allowed: 6, blocked: 1 });
    // Deleting the rows takes all their requests out of the roll-up again.
    const db = await getDb();
    await db.execute(sql`delete from access_log where application_name = ${app}`);
    expect(await counts("2026-12-06T09:59:00Z")).toBeUndefined();
  });
});
