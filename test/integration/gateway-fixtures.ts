/**
 * Shared by the gateway and nginx-parity tests: a test PKI generated with the openssl CLI (the seed's chain and
 * client certificate plus revoked / expired / wrong-CA / wrong-CN / SHA-1 cases), a recording HTTP origin, a
 * `curl` runner (the CLI, spawned asynchronously so an in-process gateway keeps serving), a poll helper, and the
 * seed's configuration through lib/domain.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { promisify } from "node:util";
import { createApplication } from "../../lib/domain/applications";
import { createCertificate } from "../../lib/domain/certificates";
import { createPolicy } from "../../lib/domain/policies";
import { recordAccess, recordUnknownHost } from "../../lib/domain/access-log";
import type { Gateway } from "../../lib/gateway";
import { loadHostConfig, loadHostIndex, type ServerIdentity } from "../../lib/gateway/context";
import { loadSigner } from "../../lib/gateway/jwt";
import type { GatewayLimits } from "../../lib/gateway/limits";
import { createGateway, createListener } from "../../lib/gateway/server";
import { adminActor } from "../helpers/actors";
import { CA_EXT, ossl, Pki, utc } from "../pki/openssl";

const run = promisify(execFile);

export interface ClientCert {
  cert: string;
  key: string;
}

export interface GatewayPki {
  dir: string;
  /** a self-signed certificate with CN "John Doe" (no chain to the uploaded CAs) */
  selfSigned: ClientCert;
  /** intermediate + root, as uploaded (`cat intermediate.pem rootCA.pem > ca-chain.pem`) */
  chainPem: string;
  /** the intermediate's CRL (revokes `revoked`) */
  crlPem: string;
  /** seed walkthrough: `openssl x509 -req -in client.csr -CA intermediate.pem ...`, CN "John Doe" */
  client: ClientCert;
  janeRoe: ClientCert;
  revoked: ClientCert;
  expired: ClientCert;
  wrongCa: ClientCert;
  sha1: ClientCert;
}

export function generateGatewayPki(): GatewayPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-pki-"));
  const p = new Pki(dir);
  const root = p.root("rootCA", { subj: "/O=Access Testing/CN=Gateway Test Root CA" });
  const int = p.issue("intermediate", root, {
    subj: "/O=Access Testing/CN=Gateway Test Intermediate CA",
    ext: ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always,issuer", "basicConstraints=critical,CA:true", "keyUsage=critical,cRLSign,keyCertSign"],
  });
  // The seed's client: plain CSR signed with `openssl x509 -req` (no extensions).
  ossl(["genrsa", "-out", "client.key", "2048"], dir);
  ossl(["req", "-new", "-key", "client.key", "-out", "client.csr", "-subj", "/CN=John Doe"], dir);
  ossl(["x509", "-req", "-in", "client.csr", "-CA", int.cert, "-CAkey", int.key, "-CAcreateserial", "-out", "client.pem", "-days", "365", "-sha256"], dir);
  const jane = p.issue("jane", int, { subj: "/CN=Jane Roe" });
  const revoked = p.issue("revoked", int, { subj: "/CN=John Doe" });
  p.revoke(int, revoked.cert);
  const crl = p.crl(int, "intermediate");
  const expired = p.issue("expired", int, { subj: "/CN=John Doe", start: utc(-30), end: utc(-1) });
  const sha1 = p.issue("sha1", int, { subj: "/CN=John Doe", md: "sha1" });
  const other = p.root("other", { subj: "/O=Elsewhere/CN=Other Root CA", ext: CA_EXT.map((l) => l.replace("keyid:always", "keyid")) });
  const wrong = p.issue("wrong", other, { subj: "/CN=John Doe" });
  ossl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days", "30", "-subj", "/CN=John Doe"], dir);
  const chainPem = readFileSync(int.cert, "utf8") + readFileSync(root.cert, "utf8");
  writeFileSync(path.join(dir, "ca-chain.pem"), chainPem);
  const cc = (c: { cert: string; key: string }): ClientCert => ({ cert: c.cert, key: c.key });
  return {
    dir,
    selfSigned: { cert: path.join(dir, "self.pem"), key: path.join(dir, "self.key") },
    chainPem,
    crlPem: readFileSync(crl, "utf8"),
    client: { cert: path.join(dir, "client.pem"), key: path.join(dir, "client.key") },
    janeRoe: cc(jane),
    revoked: cc(revoked),
    expired: cc(expired),
    wrongCa: cc(wrong),
    sha1: cc(sha1),
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** An HTTP origin that records every request and answers 200 "origin ok". */
export async function startOrigin(): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/plain", "set-cookie": "origin=1; Path=/" });
      res.end("origin ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/**
 * One HTTPS request from this process to 127.0.0.1:`port` with any SNI name and Host header (the server certificate
 * is not checked: these requests probe the gateway's handling of names it may not know).
 */
export function httpsGet(opts: { port: number; servername?: string; host: string; path?: string; headers?: Record<string, string>; agent?: https.Agent }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port: opts.port,
        path: opts.path ?? "/",
        servername: opts.servername,
        headers: { host: opts.host, ...opts.headers },
        rejectUnauthorized: false,
        agent: opts.agent ?? false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/**
 * One HTTP/1.1 request over TLS to 127.0.0.1:`port` with exactly the TLS server name `sni` (none when null) and the
 * Host header `host`, the target sent as written; status 0 when the connection failed. curl cannot send a Host other
 * than its URL's name without also sending that name as SNI, nor leave SNI out while checking the server
 * certificate; the server certificate is not checked here (the request probes the server's handling of names).
 */
export function tlsRequest(o: { port: number; sni: string | null; host: string; path?: string; cert?: ClientCert; headers?: string[] }): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host: "127.0.0.1",
      port: o.port,
      ...(o.sni ? { servername: o.sni } : {}),
      rejectUnauthorized: false,
      ...(o.cert ? { cert: readFileSync(o.cert.cert), key: readFileSync(o.cert.key) } : {}),
    });
    let data = "";
    s.setTimeout(20_000, () => s.destroy());
    s.setEncoding("utf8");
    const extra = (o.headers ?? []).map((h) => `${h}\r\n`).join("");
    s.on("secureConnect", () => s.write(`GET ${o.path ?? "/"} HTTP/1.1\r\nHost: ${o.host}\r\n${extra}Connection: close\r\n\r\n`));
    s.on("data", (c) => (data += c));
    s.on("error", () => undefined);
    s.on("close", () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), body: data.slice(data.indexOf("\r\n\r\n") + 4) }));
  });
}

export interface CurlResult {
  status: number;
  headers: string;
  body: string;
  /** per URL, the new connections curl opened for it (curl's %{num_connects}: 0 when it reused the previous one) */
  connects: number[];
}

/** `curl` against https://HOST:PORT/PATH resolved to 127.0.0.1, trusting `cacert`. */
export async function curl(opts: {
  host: string;
  port: number;
  paths?: string[];
  cacert: string;
  cert?: ClientCert;
  headers?: string[];
  /** run curl's OpenSSL at security level 0 (needed to even load a SHA-1-signed client certificate) */
  seclevel0?: boolean;
  /** send this request target verbatim (curl --request-target, e.g. an absolute-form URL); one path only */
  requestTarget?: string;
}): Promise<CurlResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-curl-"));
  const hdr = path.join(dir, "headers");
  const body = path.join(dir, "body");
  const urls = (opts.paths ?? ["/"]).map((p) => `https://${opts.host}:${opts.port}${p}`);
  const args = [
    "-s", "--max-time", "20", "--resolve", `${opts.host}:${opts.port}:127.0.0.1`, "--cacert", opts.cacert,
    "-D", hdr, "-w", "%{http_code} %{num_connects}\\n",
    ...(opts.cert ? ["--cert", opts.cert.cert, "--key", opts.cert.key] : []),
    ...(opts.headers ?? []).flatMap((h) => ["-H", h]),
    // --path-as-is: send "/x/../admin" and "//admin" as written (curl would otherwise resolve them itself)
    "--path-as-is",
    ...(opts.requestTarget ? ["--request-target", opts.requestTarget] : []),
    ...urls.flatMap((u, i) => ["-o", i === urls.length - 1 ? body : `${body}.${i}`, u]),
  ];
  let stdout = "";
  try {
    let env = process.env;
    if (opts.seclevel0) {
      const cnf = path.join(dir, "openssl.cnf");
      writeFileSync(cnf, "openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nCipherString = DEFAULT:@SECLEVEL=0\n");
      env = { ...process.env, OPENSSL_CONF: cnf };
    }
    stdout = (await run("curl", args, { encoding: "utf8", env })).stdout;
  } catch (e) {
    stdout = String((e as { stdout?: string }).stdout ?? "");
    if (process.env.DEBUG_CURL) console.error(args.join(" "), (e as Error).message);
  }
  const lines = stdout.trim().split("\n").map((l) => l.split(" "));
  const read = (f: string) => {
    try {
      return readFileSync(f, "utf8");
    } catch {
      return "";
    }
  };
  return { status: Number(lines[lines.length - 1][0] || 0), headers: read(hdr), body: read(body), connects: lines.map((l) => Number(l[1] ?? 0)) };
}

/** The DER of the first certificate in a PEM text. */
export const pemDer = (pem: string): Buffer => Buffer.from(pem.split(/(?=-----BEGIN)/).find((b) => b.includes("BEGIN"))!.replace(/-----[^-]+-----|\s/g, ""), "base64");

/**
 * How long after `since` a change took effect at the gateway: the start of the earliest poll that saw it. Polls
 * overlap (a new one every 50 ms, at most 8 under way), so the time one poll takes — a curl process on a busy
 * machine can take a second — does not count as propagation. Fails after 8 s.
 */
export function tookEffect(since: number, fn: () => Promise<boolean>, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let best: number | null = null;
    let running = 0;
    let done = false;
    const finish = (v: number | Error) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const poll = () => {
      if (done || running >= 8) return;
      if (Date.now() - since > 8000) return finish(new Error(`timed out waiting for ${what}`));
      const start = Date.now();
      running++;
      fn().then(
        (ok) => {
          running--;
          if (!ok) return;
          best = best === null ? start : Math.min(best, start);
          // Polls started earlier may still be under way: wait for them before answering with the earliest.
          if (running === 0) finish(best - since);
        },
        (e: Error) => finish(e),
      );
    };
    const timer = setInterval(() => {
      if (best !== null && running === 0) finish(best - since);
      else if (best === null) poll();
    }, 50);
    poll();
  });
}

/** Poll `fn` until it returns true (no fixed sleeps); fails after `timeoutMs`. */
export async function until(fn: () => Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The seed's configuration for `host`: the chain (with its CRL) as an mTLS certificate, the Service Auth policy
 * "John Doe devices" (Common Name John Doe) and the application "Auth portal" proxying to `originUrl`.
 */
export async function configureSeedGateway(pki: GatewayPki, host: string, originUrl: string): Promise<{ policyId: string; aud: string }> {
  const cert = await createCertificate(adminActor, { name: "Seed chain", certificate: pki.chainPem, associated_hostnames: [host], crl: pki.crlPem });
  if (!cert.ok) throw new Error(JSON.stringify(cert));
  const pol = await createPolicy(adminActor, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] });
  if (!pol.ok) throw new Error(JSON.stringify(pol));
  const app = await createApplication(adminActor, { name: "Auth portal", domain: host, session_duration: "1h", policies: [pol.value.id], origin_url: originUrl });
  if (!app.ok) throw new Error(JSON.stringify(app));
  return { policyId: pol.value.id, aud: app.value.aud };
}

/**
 * The gateway's listener in this process on 127.0.0.1 (a free port), on the test database, with `limits` over the
 * defaults; with GATEWAY_ENGINE=nginx (npm run test:nginx-engine) the nginx engine in front of the same request path.
 */
export async function startListener(identity: ServerIdentity, limits?: Partial<GatewayLimits>): Promise<Gateway> {
  if (process.env.GATEWAY_ENGINE === "nginx") return createGateway({ port: 0, host: "127.0.0.1", identity, engine: "nginx", ...(limits ? { limits } : {}) });
  return createListener({
    port: 0,
    host: "127.0.0.1",
    identity,
    signer: await loadSigner(),
    source: loadHostConfig,
    index: loadHostIndex,
    sink: recordAccess,
    unknownSink: recordUnknownHost,
    ...(limits ? { limits } : {}),
  });
}
