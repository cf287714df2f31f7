/** HTTP helpers for the page benchmarks: sign-in through the login form API, TTFB sampling, first-load JS. */
import http from "node:http";
import { gzipSync } from "node:zlib";
import { performance } from "node:perf_hooks";
import { ADMIN } from "./app";
import { percentile } from "./timing";

/** Signs in with next-auth's credentials callback (as the login form does) and returns the Cookie header. */
export async function signIn(base: string): Promise<string> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  keep(csrfRes);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email: ADMIN.email, password: ADMIN.password, callbackUrl: `${base}/`, json: "true" }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in failed (HTTP ${res.status})`);
  return cookie();
}

export interface Timing {
  ttfb: number;
  total: number;
  status: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One GET: ms to the first byte of the response (status line) and to the end of the body. */
export function timedGet(url: string, cookie?: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ttfb = 0;
    const req = http.get(url, { agent, headers: cookie ? { cookie } : {} }, (res) => {
      res.once("data", () => undefined);
      res.on("data", () => undefined);
      res.on("end", () => resolve({ ttfb, total: performance.now() - t0, status: res.statusCode ?? 0 }));
    });
    req.once("socket", (s) => s.once("data", () => (ttfb ||= performance.now() - t0)));
    req.on("response", () => (ttfb ||= performance.now() - t0));
    req.on("error", reject);
  });
}

export interface PageStats {
  p50: number;
  p95: number;
  totalP95: number;
  status: number;
  n: number;
}

export async function samplePage(url: string, cookie: string | undefined, runs: number, warmup = 2): Promise<PageStats> {
  for (let i = 0; i < warmup; i++) await timedGet(url, cookie);
  const t: Timing[] = [];
  for (let i = 0; i < runs; i++) t.push(await timedGet(url, cookie));
  const bad = t.find((x) => x.status !== 200);
  if (bad) throw new Error(`${url} answered HTTP ${bad.status}`);
  const ttfb = t.map((x) => x.ttfb).sort((a, b) => a - b);
  const total = t.map((x) => x.total).sort((a, b) => a - b);
  return { p50: percentile(ttfb, 50), p95: percentile(ttfb, 95), totalP95: percentile(total, 95), status: 200, n: runs };
}

export interface FirstLoad {
  gzipBytes: number;
  rawBytes: number;
  scripts: number;
  /** lib/pki (x509) markers found in the first-load scripts */
  x509: boolean;
}

const jsCache = new Map<string, Buffer>();

/** Scripts the route's HTML loads (what the browser fetches on first load), gzip -9 each, summed. */
export async function firstLoadJs(base: string, route: string, cookie?: string): Promise<FirstLoad> {
  const html = await (await fetch(`${base}${route}`, { headers: cookie ? { cookie } : {} })).text();
  // noModule scripts (legacy polyfills) are not loaded by the browsers Next.js targets.
  const tags = [...html.matchAll(/<script[^>]+src="([^"]+\.js[^"]*)"[^>]*>/g)].filter((m) => !/\snomodule/i.test(m[0]));
  const srcs = [...new Set(tags.map((m) => m[1].replace(/&amp;/g, "&")))];
  let gzipBytes = 0;
  let rawBytes = 0;
  let x509 = false;
  for (const src of srcs) {
    let body = jsCache.get(src);
    if (!body) {
      body = Buffer.from(await (await fetch(new URL(src, base))).arrayBuffer());
      jsCache.set(src, body);
    }
    rawBytes += body.length;
    gzipBytes += gzipSync(body, { level: 9 }).length;
    // OIDs only lib/pki / @peculiar/x509 carry (sha256WithRSAEncryption, id-kp-clientAuth).
    if (body.includes("1.2.840.113549.1.1.11") || body.includes("1.3.6.1.5.5.7.3.2")) x509 = true;
  }
  return { gzipBytes, rawBytes, scripts: srcs.length, x509 };
}
