/**
 * The gateway at the edges (issue 18 §3), over real TLS with raw bytes where the edge is in the bytes: slow bodies,
 * a 1 MiB header, a 100-certificate client chain, an origin that is down, hangs or resets mid-response, WebSocket
 * upgrades (allowed end to end, refused when blocked) and request smuggling refused before the origin sees anything.
 * (Slow request headers: gateway-security.test.ts; 10,000 idle connections: test/soak/gateway-idle.test.ts.)
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushAccessLog } from "@/lib/domain/access-log";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { createPolicy } from "@/lib/domain/policies";
import { parseEnv } from "@/lib/env.mjs";
import { loadServerCert, type Gateway } from "@/lib/gateway";
import { limitsFromEnv } from "@/lib/gateway/limits";
import { adminActor } from "../helpers/actors";
import { cert as derCert, E as X, name, newKey, OIDS, pem as derPem } from "../pki/der-build";
import { generateGatewayPki, startListener, startOrigin, type ClientCert, type GatewayPki } from "./gateway-fixtures";
import { rawTls, startEdgeOrigins, wsFrame, type EdgeOrigins } from "./gateway-edge-fixtures";

const E = "edge.example.com";
const REQUEST_TIMEOUT = 1500;
const ORIGIN_TIMEOUT = 1500;

let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let edges: EdgeOrigins;
let gw: Gateway;
let longChain: ClientCert;

const send = (bytes: string | Buffer | ((s: import("node:tls").TLSSocket) => void), o: { cert?: ClientCert; waitMs?: number } = {}) =>
  rawTls({ port: gw.port, servername: E, cert: o.cert, bytes, waitMs: o.waitMs });
const statusOf = (data: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);

async function ok<T>(p: Promise<{ ok: boolean; value?: T }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value as T;
}

/**
 * A client chain of 100 certificates (built in-process: 100 openssl runs take minutes on a loaded machine): a leaf
 * CN John Doe under 99 CAs under a root that `rootPem` holds, which the test trusts for the hostname.
 */
function hundredCertificateChain(): { chain: ClientCert; rootPem: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-edge-chain-"));
  const rootKey = newKey();
  const rootName = name([OIDS.cn, "Deep Root CA"]);
  const root = derCert({ serial: 1, issuer: rootName, subject: rootName, key: rootKey, signer: rootKey, exts: [X.bc(true), X.ku(5, 6), X.ski(rootKey)] });
  let signer = rootKey;
  let issuer = rootName;
  const cas: Buffer[] = [];
  for (let i = 1; i <= 99; i++) {
    const key = newKey();
    const subject = name([OIDS.cn, `Deep CA ${i}`]);
    cas.unshift(derCert({ serial: i + 1, issuer, subject, key, signer, exts: [X.bc(true), X.ku(5, 6), X.ski(key), X.aki(signer)] }));
    signer = key;
    issuer = subject;
  }
  const leafKey = newKey();
  const leaf = derCert({ serial: 1000, issuer, subject: name([OIDS.cn, "John Doe"]), key: leafKey, signer, exts: [X.bc(false), X.ku(0), X.eku(OIDS.clientAuth), X.ski(leafKey), X.aki(signer)] });
  const chain = { cert: path.join(dir, "chain.pem"), key: path.join(dir, "leaf.key") };
  writeFileSync(chain.cert, [leaf, ...cas].map((d) => derPem(d)).join(""));
  writeFileSync(chain.key, leafKey.priv.export({ type: "pkcs8", format: "pem" }));
  return { chain, rootPem: derPem(root) };
}

beforeAll(async () => {
  pki = generateGatewayPki();
  const deep = hundredCertificateChain();
  longChain = deep.chain;
  origin = await startOrigin();
  edges = await startEdgeOrigins();
  await ok(createCertificate(adminActor, { name: "Seed chain", certificate: pki.chainPem, associated_hostnames: [E] }));
  await ok(createCertificate(adminActor, { name: "Deep root", certificate: deep.rootPem, associated_hostnames: [E] }));
  const everyone = await ok<{ id: string }>(createPolicy(adminActor, { name: "Everyone", decision: "allow", include: [{ everyone: {} }] }));
  const john = await ok<{ id: string }>(createPolicy(adminActor, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] }));
  const app = (name: string, p: string, url: string, policy = everyone.id) => ok(createApplication(adminActor, { name, domain: `${E}${p}`, policies: [policy], origin_url: url }));
  await app("Root", "", origin.url, john.id);
  await app("Open", "/open", origin.url);
  await app("Down", "/down", edges.downUrl);
  await app("Hang", "/hang", edges.hangUrl);
  await app("Reset", "/reset", edges.resetUrl);
  await app("Socket", "/ws", edges.wsUrl, john.id);
  gw = await startListener(loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-edge-")), hostnames: [E] }), { headersTimeoutMs: 1000, requestTimeoutMs: REQUEST_TIMEOUT, originTimeoutMs: ORIGIN_TIMEOUT });
});

afterAll(async () => {
  await gw?.close();
  // Rows still queued would be written after the database is closed (and dropped, on PostgreSQL).
  await flushAccessLog();
  await origin?.close();
  await edges?.close();
});

const GET = (p: string, extra = "") => `GET ${p} HTTP/1.1\r\nHost: ${E}\r\n${extra}Connection: close\r\n\r\n`;

describe("slow and oversized clients", () => {
  it("cuts off a request body that trickles in after the request timeout (408), the origin's request aborted", async () => {
    const start = Date.now();
    const r = await send((s) => {
      s.write(`POST /open HTTP/1.1\r\nHost: ${E}\r\nContent-Length: 1000\r\n\r\n`);
      const t = setInterval(() => (s.writable ? s.write("x") : clearInterval(t)), 200);
      s.on("close", () => clearInterval(t));
    }, { waitMs: 15_000 });
    expect(r.closed).toBe(true);
    expect(Date.now() - start).toBeLessThan(REQUEST_TIMEOUT + 4000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(REQUEST_TIMEOUT - 100);
    expect([0, 408]).toContain(statusOf(r.data));
  });

  it("refuses a 1 MiB header with 431 and closes the connection", async () => {
    const before = origin.seen.length;
    const r = await send(GET("/open", `X-Big: ${"a".repeat(1024 * 1024)}\r\n`));
    expect(statusOf(r.data)).toBe(431);
    expect(r.closed).toBe(true);
    expect(origin.seen.length).toBe(before);
  });

  it("refuses a 100-certificate client chain cleanly (403 with the reason) and keeps serving", async () => {
    const start = Date.now();
    const r = await send(GET("/", "Accept: application/json\r\n"), { cert: longChain });
    expect(statusOf(r.data), r.data.slice(0, 300)).toBe(403);
    expect(JSON.parse(r.data.slice(r.data.indexOf("\r\n\r\n") + 4)).reason).toMatch(/certificate/i);
    expect(Date.now() - start).toBeLessThan(10_000);
    const after = await send(GET("/", ""), { cert: { cert: pki.client.cert, key: pki.client.key } });
    expect(statusOf(after.data)).toBe(200);
  });
});

describe("the origin", () => {
  it("down: 502 page, HTML for browsers and JSON for API clients", async () => {
    const html = await send(GET("/down", "Accept: text/html\r\n"));
    expect(statusOf(html.data)).toBe(502);
    expect(html.data).toMatch(/<title>Bad gateway<\/title>/);
    const json = await send(GET("/down", "Accept: application/json\r\n"));
    expect(statusOf(json.data)).toBe(502);
    expect(JSON.parse(json.data.slice(json.data.indexOf("\r\n\r\n") + 4))).toMatchObject({ success: false, status: 502, error: "Bad gateway", hostname: E });
  });

  it("hangs: 504 after the origin timeout, HTML or JSON", async () => {
    const start = Date.now();
    const json = await send(GET("/hang", "Accept: application/json\r\n"), { waitMs: 20_000 });
    const took = Date.now() - start;
    expect(statusOf(json.data)).toBe(504);
    expect(took).toBeGreaterThanOrEqual(ORIGIN_TIMEOUT - 100);
    expect(took).toBeLessThan(ORIGIN_TIMEOUT + 4000);
    expect(JSON.parse(json.data.slice(json.data.indexOf("\r\n\r\n") + 4))).toMatchObject({ status: 504, error: "Gateway timeout", hostname: E });
    const html = await send(GET("/hang"), { waitMs: 20_000 });
    expect(statusOf(html.data)).toBe(504);
    expect(html.data).toMatch(/<title>Gateway timeout<\/title>/);
  });

  it("resets mid-response: the client's connection is closed, nothing hangs", async () => {
    const start = Date.now();
    const r = await send(`GET /reset HTTP/1.1\r\nHost: ${E}\r\n\r\n`, { waitMs: 10_000 });
    expect(r.closed).toBe(true);
    expect(Date.now() - start).toBeLessThan(5000);
    expect(statusOf(r.data)).toBe(200);
    expect(r.data).toContain("partial");
    // The chunked body never ended (no last chunk): the client can tell the response is incomplete.
    expect(r.data).not.toMatch(/\r\n0\r\n\r\n$/);
    const after = await send(GET("/open"));
    expect(statusOf(after.data)).toBe(200);
  });
});

describe("WebSocket upgrades", () => {
  const key = "dGhlIHNhbXBsZSBub25jZQ==";
  const upgrade = (extra = "") => `GET /ws/chat HTTP/1.1\r\nHost: ${E}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

  it("works end to end for an allowed request: 101, frames both ways, the origin gets the JWT", async () => {
    const before = edges.upgrades.length;
    const r = await send((s) => {
      s.write(upgrade("Cf-Access-Jwt-Assertion: forged\r\n"));
      let sent = false;
      s.on("data", () => {
        if (!sent) {
          sent = true;
          s.write(wsFrame("hello through the gateway", true));
          // Still open after the request timeout: an upgraded connection is not a slow request.
          setTimeout(() => s.write(wsFrame("still there", true)), REQUEST_TIMEOUT + 1000);
        }
      });
    }, { cert: { cert: pki.client.cert, key: pki.client.key }, waitMs: REQUEST_TIMEOUT + 2500 });
    expect(statusOf(r.data)).toBe(101);
    expect(r.data).toContain(`Sec-WebSocket-Accept: ${createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64")}`);
    expect(r.raw.includes(wsFrame("echo: hello through the gateway", false))).toBe(true);
    expect(r.raw.includes(wsFrame("echo: still there", false))).toBe(true);
    expect(r.closed).toBe(false);
    expect(edges.upgrades.length).toBe(before + 1);
    const seen = edges.upgrades.at(-1)!;
    expect(seen.url).toBe("/ws/chat");
    expect(seen.headers["cf-access-jwt-assertion"]).toMatch(/^ey/);
    expect(seen.headers.upgrade).toBe("websocket");
  });

  it("is refused for a blocked request (403) and never reaches the origin", async () => {
    const before = edges.upgrades.length;
    const r = await send(upgrade(), { waitMs: 3000 });
    expect(statusOf(r.data)).toBe(403);
    expect(r.closed).toBe(true);
    expect(edges.upgrades.length).toBe(before);
  });
});

describe("request smuggling is refused before the origin", () => {
  it.each([
    ["Content-Length with Transfer-Encoding", `POST /open HTTP/1.1\r\nHost: ${E}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /open/smuggled HTTP/1.1\r\nHost: ${E}\r\n\r\n`],
    ["two different Content-Lengths", `POST /open HTTP/1.1\r\nHost: ${E}\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\nhelloGET /open/smuggled HTTP/1.1\r\nHost: ${E}\r\n\r\n`],
    ["an obfuscated Transfer-Encoding", `POST /open HTTP/1.1\r\nHost: ${E}\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`],
    ["Transfer-Encoding in an obs-fold", `POST /open HTTP/1.1\r\nHost: ${E}\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc`],
    ["an obs-folded header", `GET /open HTTP/1.1\r\nHost: ${E}\r\nX-Folded: one\r\n two\r\n\r\n`],
    ["a bare CR in a header", `GET /open HTTP/1.1\r\nHost: ${E}\r\nX-Cr: a\rb\r\n\r\n`],
    ["a bare CR ending a line", `GET /open HTTP/1.1\rHost: ${E}\r\n\r\n`],
  ])("%s: 400, nothing sent to the origin", async (_what, bytes) => {
    const before = origin.seen.length;
    const r = await send(bytes);
    expect(statusOf(r.data), r.data.slice(0, 200)).toBe(400);
    expect(r.closed).toBe(true);
    expect(origin.seen.slice(before).map((s) => s.url)).toEqual([]);
  });
});

describe("configuration", () => {
  it("reads GATEWAY_REQUEST_TIMEOUT_MS and GATEWAY_ORIGIN_TIMEOUT_MS and refuses bad values with a clear line", () => {
    expect(limitsFromEnv({})).toMatchObject({ requestTimeoutMs: 300_000, originTimeoutMs: 100_000 });
    expect(limitsFromEnv({ GATEWAY_REQUEST_TIMEOUT_MS: "2000", GATEWAY_ORIGIN_TIMEOUT_MS: "30000" })).toMatchObject({ requestTimeoutMs: 2000, originTimeoutMs: 30_000 });
    expect(() => limitsFromEnv({ GATEWAY_ORIGIN_TIMEOUT_MS: "soon" })).toThrow('GATEWAY_ORIGIN_TIMEOUT_MS must be a whole number of milliseconds from 100 to 3600000, got "soon"');
    expect(() => parseEnv({ GATEWAY_REQUEST_TIMEOUT_MS: "5" })).toThrow('Invalid environment variable GATEWAY_REQUEST_TIMEOUT_MS="5": expected a whole number of milliseconds from 100 to 3600000.');
  });
});
