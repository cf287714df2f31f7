import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WORKER_OPENSSL_CONF, workerOpensslEnv } from "./openssl-tuning";

describe("the gateway workers' OpenSSL tuning", () => {
  it("writes the configuration once, under a name of its content, and names it in OPENSSL_CONF", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-ossl-"));
    const a = workerOpensslEnv({}, [], dir);
    const b = workerOpensslEnv({}, [], dir);
    expect(a.OPENSSL_CONF).toBeDefined();
    expect(b).toEqual(a);
    expect(readFileSync(a.OPENSSL_CONF!, "utf8")).toBe(WORKER_OPENSSL_CONF);
    expect(WORKER_OPENSSL_CONF).toMatch(/^NumTickets = 1$/m);
    expect(readdirSync(dir)).toEqual([path.basename(a.OPENSSL_CONF!)]);
  });

  it("leaves an operator's OpenSSL configuration alone", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-ossl-"));
    expect(workerOpensslEnv({ OPENSSL_CONF: "/etc/ssl/fips.cnf" }, [], dir)).toEqual({});
    expect(workerOpensslEnv({}, ["--openssl-config=/etc/ssl/mine.cnf"], dir)).toEqual({});
    expect(workerOpensslEnv({ NODE_OPTIONS: "--max-old-space-size=512 --openssl-shared-config" }, [], dir)).toEqual({});
    expect(readdirSync(dir)).toEqual([]);
  });

  it("says so and adds nothing when the file cannot be written", () => {
    expect(workerOpensslEnv({}, [], "/nonexistent/portcullis")).toEqual({});
  });
});
