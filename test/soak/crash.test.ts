/**
 * SIGKILL the production server in the middle of write load, start it again on the same data
 * (PGlite directory or PostgreSQL database): the database opens cleanly and every acknowledged write
 * is there, with its audit event.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAdminAndTokens, startAppServer, type AppServer } from "../helpers/server";
import { runLoad } from "./load-driver";
import { expectAuditMatches, expectStateMatches, summary } from "./verify";

let server: AppServer | undefined;
let seed: Awaited<ReturnType<typeof seedAdminAndTokens>>;

beforeAll(async () => {
  seed = await seedAdminAndTokens(50);
});
afterAll(() => server?.stop());

describe("soak: crash", () => {
  it.each([1, 2, 3])("SIGKILL under write load (round %i) loses no acknowledged write", async (round) => {
    server = await startAppServer();
    const port = server.port;
    const since = new Date();
    const tag = `crash${round}${Date.now().toString(36)}`;
    const stop = new AbortController();
    const load = runLoad({ baseURL: server.baseURL, accountId: seed.accountId, tokens: seed.tokens, durationMs: 120_000, tag, signal: stop.signal, requestTimeoutMs: 20_000 });
    // Kill once writes are flowing: after a number of acknowledged writes, not after a time.
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 200));
      const res = await fetch(`${server.baseURL}/accounts/${seed.accountId}/access/policies?per_page=1`, { headers: { authorization: `Bearer ${seed.tokens[0]}` } });
      const total = ((await res.json()) as { result_info?: { total_count?: number } }).result_info?.total_count ?? 0;
      if (total >= 100 * round) break;
    }
    await server.kill();
    stop.abort();
    const report = await load;
    console.log(`[soak crash ${round}] ${summary(report)}`);
    expect(report.fiveXX).toEqual([]);
    expect(report.acked.length).toBeGreaterThan(0);

    server = await startAppServer({ port });
    await expectStateMatches(server.baseURL, seed.accountId, seed.tokens[0], tag, report);
    await server.stop();
    server = undefined;
    await expectAuditMatches(report, since);
  });
});
