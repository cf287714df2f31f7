/**
 * The gateway's bypass regressions (issue 12), continued from ./gateway-security.test.ts: origin URLs and paths that
 * would inject proxy configuration (refused by the domain functions and the REST API), and the connection limits
 * (handshake and header timeouts, connections per address) over real TLS.
 */
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { recordAccess, recordUnknownHost } from "@/lib/domain/access-log";
import { createApplication, updateApplication } from "@/lib/domain/applications";
import { getSetting } from "@/lib/db/settings";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createFirstAdmin } from "@/lib/domain/users";
import { createPolicy } from "@/lib/domain/policies";
import { loadServerCert, type Gateway } from "@/lib/gateway";
import { loadHostConfig, loadHostIndex } from "@/lib/gateway/context";
import { loadSigner } from "@/lib/gateway/jwt";
import { limitsFromEnv } from "@/lib/gateway/limits";
import { createListener } from "@/lib/gateway/server";
import { startApiServer } from "../api/server";
import { adminActor } from "../helpers/actors";

/** The hostnames of ./gateway-security.test.ts; the server certificate names both, as there. */
const A = "a.example.com";
const B = "b.example.com";

let identity: ReturnType<typeof loadServerCert>;

async function mustOk<T>(p: Promise<{ ok: boolean; value?: T }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value as T;
}

beforeAll(() => {
  identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-")), hostnames: [A, B] });
});

describe("origin URLs and paths that would inject proxy configuration (finding 13)", () => {
  const BAD = "http://x;}server{listen;/";

  it("refuses them on create and update (domain functions behind the server actions)", async () => {
    const p = await mustOk<{ id: string }>(createPolicy(adminActor, { name: "Origin check", decision: "allow", include: [{ everyone: {} }] }));
    const bad = await createApplication(adminActor, { name: "Bad origin", domain: "bad.example.com", policies: [p.id], origin_url: BAD });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toMatch(/The origin URL's host \\"x;}server{listen;\\" must be a hostname/);
    for (const url of ["http://a b/", "http://ok.example.com/a;b", "http://ok.example.com/$x", "http://ok.example.com/it's"]) {
      const r = await createApplication(adminActor, { name: "Bad origin", domain: "bad.example.com", policies: [p.id], origin_url: url });
      expect(r.ok, url).toBe(false);
    }
    const semi = await createApplication(adminActor, { name: "Semicolon", domain: "bad.example.com/a;b", policies: [p.id] });
    expect(JSON.stringify(semi)).toMatch(/the path must not contain \\";\\"/);
    const good = await mustOk<{ id: string }>(createApplication(adminActor, { name: "Good origin", domain: "good.example.com", policies: [p.id], origin_url: "http://my_backend:8080/base" }));
    for (const ok of ["http://10.0.0.5:8080", "http://[::1]:8080/x", "https://internal.example.com/a-b_c/~d"]) {
      expect((await updateApplication(adminActor, good.id, { domain: "good.example.com", policies: [p.id], origin_url: ok })).ok, ok).toBe(true);
    }
    const upd = await updateApplication(adminActor, good.id, { domain: "good.example.com", policies: [p.id], origin_url: BAD });
    expect(upd.ok).toBe(false);
    expect(JSON.stringify(upd)).toMatch(/must be a hostname/);
  });

  it("refuses them through the REST API with a 400 and the same message", async () => {
    const api = await startApiServer();
    try {
      const u = await createFirstAdmin({ email: "root@example.com", name: "Root", password: "a-long-password-1" }, null);
      if (!u.ok) throw new Error(u.error.message);
      const t = await createApiToken({ type: "user", id: u.value.id, label: u.value.email, role: "admin", permission: "edit" }, { name: "deploy", permission: "edit" });
      if (!t.ok) throw new Error(t.error.message);
      const accountId = (await getSetting<string>(await getDb(), "account_id"))!;
      const res = await fetch(`${api.baseURL}/accounts/${accountId}/access/apps`, {
        method: "POST",
        headers: { authorization: `Bearer ${t.value.secret}`, "content-type": "application/json" },
        body: JSON.stringify({ type: "self_hosted", domain: "api-bad.example.com", origin_url: BAD }),
      });
      const body = JSON.stringify(await res.json());
      expect(res.status, body).toBe(400);
      expect(body).toMatch(/must be a hostname \(letters, digits/);
    } finally {
      await api.close();
    }
  });
});

describe("connection limits (finding 15)", () => {
  let limited: Gateway;

  beforeAll(async () => {
    limited = await createListener({
      port: 0,
      host: "127.0.0.1",
      identity,
      limits: { handshakeTimeoutMs: 300, headersTimeoutMs: 400, maxConnectionsPerIp: 3 },
      signer: await loadSigner(),
      source: loadHostConfig,
      index: loadHostIndex,
      sink: recordAccess,
      unknownSink: recordUnknownHost,
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  /** Milliseconds until the server closes `socket` (fails after `max`). */
  const closedWithin = (socket: net.Socket, max: number) =>
    new Promise<number>((resolve, reject) => {
      const start = Date.now();
      const t = setTimeout(() => reject(new Error(`still open after ${max} ms`)), max);
      socket.on("error", () => undefined);
      socket.once("close", () => {
        clearTimeout(t);
        resolve(Date.now() - start);
      });
    });

  it("closes a TCP connection that never starts the TLS handshake after the handshake timeout", async () => {
    const s = net.connect(limited.port, "127.0.0.1");
    await new Promise((r) => s.once("connect", r));
    const ms = await closedWithin(s, 3000);
    expect(ms).toBeGreaterThanOrEqual(250);
  });

  it("closes a connection that trickles its request headers after the header timeout", async () => {
    const s = tls.connect({ port: limited.port, host: "127.0.0.1", servername: B, rejectUnauthorized: false });
    await new Promise((r) => s.once("secureConnect", r));
    const closed = closedWithin(s, 4000);
    let received = "";
    s.on("data", (d) => (received += String(d)));
    const line = `GET /admin HTTP/1.1\r\nHost: ${B}\r\nX-Slow: `;
    let i = 0;
    const timer = setInterval(() => {
      if (!s.destroyed) s.write(i < line.length ? line[i++] : "a");
    }, 50);
    try {
      await closed;
    } finally {
      clearInterval(timer);
    }
    expect(received).not.toMatch(/HTTP\/1\.1 (200|403)/);
  });

  it("caps the open connections of one address", async () => {
    // The handshake timeout above (300 ms) would close idle sockets: hold TLS connections open instead.
    const open = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<tls.TLSSocket>((resolve, reject) => {
            const s = tls.connect({ port: limited.port, host: "127.0.0.1", servername: B, rejectUnauthorized: false }, () => resolve(s));
            s.on("error", reject);
          }),
      ),
    );
    const fourth = net.connect(limited.port, "127.0.0.1");
    expect(await closedWithin(fourth, 1000)).toBeLessThan(250);
    open[0].destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = tls.connect({ port: limited.port, host: "127.0.0.1", servername: B, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      again.once("secureConnect", () => resolve());
      again.once("error", reject);
    });
    again.destroy();
    open.forEach((s) => s.destroy());
  });

  it("reads the limits from the environment and refuses bad values clearly", () => {
    expect(limitsFromEnv({})).toEqual({
      handshakeTimeoutMs: 10_000,
      headersTimeoutMs: 15_000,
      maxConnectionsPerIp: 256,
      requestTimeoutMs: 300_000,
      originTimeoutMs: 100_000,
    });
    expect(limitsFromEnv({ GATEWAY_HANDSHAKE_TIMEOUT_MS: "2000", GATEWAY_MAX_CONNECTIONS_PER_IP: "8" })).toMatchObject({ handshakeTimeoutMs: 2000, maxConnectionsPerIp: 8 });
    expect(() => limitsFromEnv({ GATEWAY_HEADERS_TIMEOUT_MS: "soon" })).toThrow(/GATEWAY_HEADERS_TIMEOUT_MS must be a whole number of milliseconds from 100 to 600000, got "soon"/);
    expect(() => limitsFromEnv({ GATEWAY_MAX_CONNECTIONS_PER_IP: "0" })).toThrow(/GATEWAY_MAX_CONNECTIONS_PER_IP/);
  });
});
