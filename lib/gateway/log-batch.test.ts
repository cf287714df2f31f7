import { createHash } from "node:crypto";
import { serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import type { AccessLogEntry } from "../domain/access-log";
import { accessLogLine, accessLogRest, chainLiteral, parseLines } from "../domain/access-log/line";
import type { ToPrimary } from "./ipc";
import { LogBatch } from "./log-batch";

const row = (chain: Buffer[] | null, path = "/"): AccessLogEntry => ({
  at: new Date(0), hostname: "a.example", applicationId: null, applicationName: null, clientCn: "John Doe", serialNumber: "01", decision: "allow",
  policyId: null, policyName: null, reason: "ok", ip: "127.0.0.1", path, chain,
});
// Two connections presenting the same certificates: equal bytes, different Buffer objects (as the TLS stack gives them).
const der = () => [Buffer.alloc(1200, 7), Buffer.alloc(900, 9)];
const hex = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const known = new WeakMap<object, string[]>();
const keyed = (chain: Buffer[]) => (known.set(chain, chain.map(hex)), chain);
type Log = Extract<ToPrimary, { t: "log" }>;

describe("LogBatch (a gateway worker's access-log rows on their way to the primary)", () => {
  it("sends the rows as COPY lines with one copy of each certificate per batch, whatever connection they came from", () => {
    const b = new LogBatch((c) => known.get(c));
    for (let i = 0; i < 50; i++) b.add(row(keyed(der()), `/${i}`));
    b.add(row(keyed([Buffer.alloc(1000, 1)])));
    b.add(row(null));
    const [msg] = b.take() as Log[];
    expect(msg.t).toBe("log");
    expect(msg.rows).toBe(52);
    const rows = parseLines(msg.lines);
    expect(rows.map((r) => r.path)).toEqual([...Array.from({ length: 50 }, (_, i) => `/${i}`), "/", "/"]);
    const [h1, h2, h3] = [hex(Buffer.alloc(1200, 7)), hex(Buffer.alloc(900, 9)), hex(Buffer.alloc(1000, 1))];
    expect(rows[0]).toEqual({ at: new Date(0).toISOString(), hostname: "a.example", application_id: null, application_name: null, client_cn: "John Doe", serial_number: "01", decision: "allow", policy_id: null, policy_name: null, reason: "ok", ip: "127.0.0.1", path: "/0", chain_sha256: [h1, h2], requests: 1 });
    expect(rows[50].chain_sha256).toEqual([h3]);
    expect(rows[51].chain_sha256).toBeNull();
    expect(msg.certs.map(([h, d]) => [h, Buffer.from(d).length])).toEqual([[h1, 1200], [h2, 900], [h3, 1000]]);
    // About one chain's bytes, not 50.
    expect(serialize(msg).length).toBeLessThan(1200 + 900 + 1000 + 52 * 250);
  });

  it("writes each row's own line when a client's requests repeat all but the time (in another second), or change any one column", () => {
    const b = new LogBatch((c) => known.get(c));
    const chain = keyed(der());
    const base = { ...row(chain), applicationId: "6f1c2a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", applicationName: "Wiki", policyId: "7f1c2a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", policyName: "Staff" };
    // Each change follows an unchanged row, so the two differ in that one column (and the time) only.
    const changes: Partial<AccessLogEntry>[] = [
      {}, { hostname: "b.example" }, { applicationId: null }, { applicationName: "Grafana" }, { clientCn: "Jane Roe" }, { serialNumber: "02" },
      { decision: "deny" }, { policyId: null }, { policyName: "Other" }, { reason: "no" }, { ip: "10.0.0.1" }, { path: "/other" }, { path: null },
      { chain: keyed([Buffer.alloc(1000, 1)]) }, { chain: null },
    ];
    const entries = changes.flatMap((c, i) => [{ ...base, at: new Date(2_000 * i) }, { ...base, at: new Date(2_000 * i + 1_000), ...c }]);
    for (const e of entries) b.add(e);
    const [msg] = b.take() as Log[];
    const literal = (c: AccessLogEntry["chain"]) => (c?.length ? chainLiteral((c as Buffer[]).map(hex)) : null);
    // Every request its own row (no two identical ones share a second); rows come out grouped by their line.
    const lines = (text: string) => text.split(/(?<=\n)/).sort();
    expect(msg.rows).toBe(entries.length);
    expect(lines(msg.lines)).toEqual(lines(entries.map((e) => accessLogLine(e.at, accessLogRest(e, literal(e.chain)), 1)).join("")));
  });

  it("folds identical requests of the same UTC second into one row with their count and the earliest time", () => {
    const b = new LogBatch((c) => known.get(c));
    const chain = keyed(der());
    const at = (ms: number) => ({ ...row(chain), at: new Date(ms) });
    // 4 identical requests in second 10 (one logged out of order), one in second 11, and one with another path in 10.
    for (const e of [at(10_400), at(10_100), at(10_999), at(10_500), at(11_000), { ...at(10_600), path: "/other" }]) b.add(e);
    expect(b.size).toBe(3);
    const [msg] = b.take() as Log[];
    expect(msg.rows).toBe(3);
    const rows = parseLines(msg.lines).sort((x, y) => x.at.localeCompare(y.at) || (x.path ?? "").localeCompare(y.path ?? ""));
    expect(rows.map((r) => [r.at, r.path, r.requests])).toEqual([
      [new Date(10_100).toISOString(), "/", 4],
      [new Date(10_600).toISOString(), "/other", 1],
      [new Date(11_000).toISOString(), "/", 1],
    ]);
    // A request's chain as a new object (a new connection of the same client) still folds: the row is the same.
    b.add(at(20_000));
    b.add({ ...at(20_001), chain: keyed(der()) });
    const [again] = b.take() as Log[];
    expect(parseLines(again.lines).map((r) => r.requests)).toEqual([2]);
  });

  it("hashes a chain it has no SHA-256 values for", () => {
    const b = new LogBatch();
    const [c1, c2] = [der(), der()];
    b.add(row(c1));
    b.add(row(c2, "/2"));
    const msg = b.take()[0] as Log;
    const rows = parseLines(msg.lines);
    expect(rows[0].chain_sha256).toEqual(c1.map(hex));
    expect(rows[1].chain_sha256).toEqual(c1.map(hex));
    expect(msg.certs.map(([h]) => h)).toEqual(c1.map(hex));
  });

  it("counts unknown hostnames per UTC hour, and starts empty again after take()", () => {
    const b = new LogBatch();
    b.unknown("x.test", 3_600_000 * 5 + 10);
    b.unknown("y.test", 3_600_000 * 5 + 20);
    b.unknown("z.test", 3_600_000 * 6);
    b.add(row(null));
    expect(b.size).toBe(1);
    const msgs = b.take();
    expect(msgs).toEqual([
      { t: "unknown", counts: [{ hour: 3_600_000 * 5, requests: 2, sample: "y.test" }, { hour: 3_600_000 * 6, requests: 1, sample: "z.test" }] },
      { t: "log", lines: "1970-01-01T00:00:00.000Z\ta.example\t\\N\t\\N\tJohn Doe\t01\tallow\t\\N\t\\N\tok\t127.0.0.1\t/\t\\N\t1\n", rows: 1, certs: [] },
    ]);
    expect(b.size).toBe(0);
    expect(b.take()).toEqual([]);
  });
});
