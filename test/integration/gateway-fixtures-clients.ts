/**
 * Clients the gateway tests send requests with: an HTTPS request from this process with any SNI and Host, a raw
 * HTTP/1.1 request over TLS with exactly the SNI given (or none), and the `curl` CLI (spawned asynchronously so an
 * in-process gateway keeps serving).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { promisify } from "node:util";
import type { ClientCert } from "./gateway-fixtures-pki";

const run = promisify(execFile);

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
