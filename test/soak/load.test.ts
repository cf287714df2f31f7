/** 60 s of load on the production server: 50 API clients (edit tokens), mixed reads and writes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAdminAndTokens, startAppServer, type AppServer } from "../helpers/server";
import { runLoad } from "./load-driver";
import { expectAuditMatches, expectStateMatches, summary } from "./verify";

let server: AppServer | undefined;
let seed: Awaited<ReturnType<typeof seedAdminAndTokens>>;

beforeAll(async () => {
  seed = await seedAdminAndTokens(50);
  server = await startAppServer();
});
afterAll(() => server?.stop());

describe("soak: load", () => {
  it("50 clients for 60 s: no 5xx, nothing lost or duplicated, audit matches one to one", async () => {
    const since = new Date();
    const tag = `soak${Date.now().toString(36)}`;
    const report = await runLoad({ baseURL: server!.baseURL, accountId: seed.accountId, tokens: seed.tokens, durationMs: 60_000, tag, requestTimeoutMs: 20_000 });
    console.log(`[soak load] ${summary(report)}`);
    expect(report.fiveXX).toEqual([]);
    expect(report.networkErrors).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.inDoubt).toEqual([]);
    await expectStateMatches(server!.baseURL, seed.accountId, seed.tokens[0], tag, report);
    await server!.stop();
    server = undefined;
    await expectAuditMatches(report, since);
  });
});
