/**
 * A PostgreSQL connection lost while COMMIT is under way (found by test/soak/db-outage.test.ts: a policy
 * answered 503 "database unavailable" was there afterwards). The server may have committed, so the answer
 * must say the outcome is unknown (API: 503, code 10014, x-should-retry: false) — never claim nothing
 * changed. A connection lost before COMMIT still rolls back and is a plain "unavailable".
 * PostgreSQL only: PGlite runs in-process and has no connection to lose.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb, getDbHandle } from "@/lib/db/client";
import { domainErrorToApi, API_CODES } from "@/lib/api/errors";
import { errorToResponse } from "@/lib/api/handler";
import { createPolicy } from "@/lib/domain/policies";
import { OUTCOME_UNKNOWN_MESSAGE } from "@/lib/domain/core/mutate";
import { freePort } from "../helpers/server";
import { adminActor } from "../helpers/actors";

const pgMode = process.env.PORTCULLIS_TEST_ENGINE === "postgres";

/**
 * A TCP proxy to PostgreSQL that, once armed with a statement, forwards the query carrying it and then
 * cuts the connection before the server's answer can come back.
 */
class CutAfterProxy {
  server: Server | null = null;
  armed: string | null = null;
  cuts = 0;
  private sockets = new Set<Socket>();
  constructor(private target: { host: string; port: number }) {}
  async listen(port: number) {
    this.server = createServer((client: Socket) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      upstream.pipe(client);
      client.on("data", (chunk: Buffer) => {
        // A simple-protocol Query ('Q') whose text is the armed statement.
        if (this.armed && chunk[0] === 0x51 && chunk.subarray(5).toString("utf8").replace(/\0+$/, "").trim().toLowerCase() === this.armed) {
          this.armed = null;
          this.cuts++;
          client.destroy();
          upstream.end(chunk); // the server still receives (and runs) the statement
          return;
        }
        upstream.write(chunk);
      });
      client.on("close", () => upstream.end());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", () => resolve()));
  }
  close() {
    for (const s of this.sockets) s.destroy();
    return new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

let proxy: CutAfterProxy;
let direct: string;

beforeAll(async () => {
  if (!pgMode) return;
  direct = process.env.DATABASE_URL!;
  const target = new URL(direct);
  proxy = new CutAfterProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const port = await freePort();
  await proxy.listen(port);
  const via = new URL(direct);
  via.hostname = "127.0.0.1";
  via.port = String(port);
  await closeDb();
  process.env.DATABASE_URL = via.toString();
  await getDb(); // open and migrate through the proxy before anything is armed
});
afterAll(async () => {
  if (!pgMode) return;
  await proxy.close();
  await closeDb(); // waited forever while a failed BEGIN leaked its pool client
  process.env.DATABASE_URL = direct;
});

async function policyNamed(name: string): Promise<{ policies: number; audits: number }> {
  const pg = (await import("pg")).default;
  const c = new pg.Client({ connectionString: direct });
  await c.connect();
  try {
    const p = await c.query("select id from policies where name = $1", [name]);
    const a = p.rows.length ? await c.query("select 1 from audit_events where action = 'policy.create' and resource_id = $1", [p.rows[0].id]) : { rows: [] };
    return { policies: p.rows.length, audits: a.rows.length };
  } finally {
    await c.end();
  }
}

const body = (name: string) => ({ name, decision: "allow", include: [{ everyone: {} }] });

describe.skipIf(!pgMode)("connection lost during a write", () => {
  it("while COMMIT runs: the change is saved, and the answer says the outcome is unknown (503 10014, do not retry)", async () => {
    proxy.armed = "commit";
    const r = await createPolicy(adminActor, body("cut-at-commit"));
    expect(proxy.cuts).toBe(1);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("unavailable");
    expect(r.error.message).toBe(OUTCOME_UNKNOWN_MESSAGE);
    // The server did commit: the policy and its audit event are both there.
    expect(await policyNamed("cut-at-commit")).toEqual({ policies: 1, audits: 1 });

    const res = errorToResponse(domainErrorToApi(r.error));
    expect(res.status).toBe(503);
    expect(res.headers.get("x-should-retry")).toBe("false");
    const json = await res.json();
    expect(json.errors[0].code).toBe(API_CODES.outcomeUnknown);
    expect(json.errors[0].message).toMatch(/may or may not have been saved/);
  });

  it("before COMMIT: nothing is saved, and the answer is a plain 503 unavailable", async () => {
    proxy.armed = "begin";
    const r = await createPolicy(adminActor, body("cut-at-begin"));
    expect(proxy.cuts).toBe(2);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("unavailable");
    expect(r.error.message).not.toBe(OUTCOME_UNKNOWN_MESSAGE);
    expect(await policyNamed("cut-at-begin")).toEqual({ policies: 0, audits: 0 });
    const res = errorToResponse(domainErrorToApi(r.error));
    expect(res.status).toBe(503);
    expect((await res.json()).errors[0].code).toBe(API_CODES.unavailable);
  });

  it("no pool connection stays checked out after the cuts (a failed BEGIN used to leak one for good)", async () => {
    const pool = (await getDbHandle()).raw as { totalCount: number; idleCount: number; waitingCount: number };
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });

  it("and the next write goes through", async () => {
    const r = await createPolicy(adminActor, body("after-cuts"));
    expect(r.ok).toBe(true);
    expect(await policyNamed("after-cuts")).toEqual({ policies: 1, audits: 1 });
  });
});
