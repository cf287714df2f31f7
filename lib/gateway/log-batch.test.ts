import { serialize, deserialize } from "node:v8";
import { describe, expect, it } from "vitest";
import type { AccessLogEntry } from "../domain/access-log";
import { LogBatch } from "./log-batch";

const row = (chain: Buffer[] | null, path = "/"): AccessLogEntry => ({
  at: new Date(0), hostname: "a.example", applicationId: null, applicationName: null, clientCn: "John Doe", serialNumber: "01", decision: "allow",
  policyId: null, policyName: null, reason: "ok", ip: "127.0.0.1", path, chain,
});
// Two connections presenting the same certificates: equal bytes, different Buffer objects (as the TLS stack gives them).
const der = () => [Buffer.alloc(1200, 7), Buffer.alloc(900, 9)];
const keys = new WeakMap<object, string>();
const keyed = (chain: Buffer[], key: string) => (keys.set(chain, key), chain);

describe("LogBatch (a gateway worker's access-log rows on their way to the primary)", () => {
  it("sends the rows of one chain with one copy of its certificates per batch, whatever connection they came from", () => {
    const b = new LogBatch((c) => keys.get(c));
    for (let i = 0; i < 50; i++) b.add(row(keyed(der(), "k1"), `/${i}`));
    b.add(row(keyed([Buffer.alloc(1000, 1)], "k2")));
    b.add(row(null));
    const [msg] = b.take();
    expect(msg.t).toBe("log");
    const rows = (msg as { rows: AccessLogEntry[] }).rows;
    expect(rows.map((r) => r.path)).toEqual([...Array.from({ length: 50 }, (_, i) => `/${i}`), "/", "/"]);
    expect(new Set(rows.slice(0, 50).map((r) => r.chain)).size).toBe(1);
    // The IPC serializer writes a Buffer it has already written as a reference: about one chain's bytes, not 50.
    const bytes = serialize(msg).length;
    expect(bytes).toBeLessThan(2100 + 1000 + 52 * 200);
    const back = deserialize(serialize(msg)) as { rows: AccessLogEntry[] };
    expect(back.rows[49].chain![0]).toBe(back.rows[0].chain![0]);
    expect(Buffer.compare(back.rows[0].chain![1] as Buffer, Buffer.alloc(900, 9))).toBe(0);
    expect(back.rows[50].chain![0][0]).toBe(1);
    expect(back.rows[51].chain).toBeNull();
  });

  it("keeps a chain it has no key for as it is", () => {
    const b = new LogBatch();
    const [c1, c2] = [der(), der()];
    b.add(row(c1));
    b.add(row(c2));
    const rows = (b.take()[0] as { rows: AccessLogEntry[] }).rows;
    expect(rows[0].chain).toBe(c1);
    expect(rows[1].chain).toBe(c2);
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
      { t: "log", rows: [row(null)] },
    ]);
    expect(b.size).toBe(0);
    expect(b.take()).toEqual([]);
  });
});
