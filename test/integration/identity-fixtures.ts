/**
 * A browser for the gateway's sign-in flow in tests: a cookie jar, HTTPS requests to the gateway by hostname (TLS
 * server name and Host, connecting to 127.0.0.1) with an optional client certificate, and a whole sign-in — the
 * protected URL, the login page, the real OpenID provider (test/helpers/oidc-provider), the callback.
 */
import type { IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { authorizeAtIdp, type IdpAccount, type TestIdp } from "../helpers/oidc-provider";

export interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A browser's cookies for one site (the gateway's cookies are host-only). */
export class Jar {
  private cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  take(res: Res): void {
    for (const c of res.headers["set-cookie"] ?? []) {
      const [pair, ...attrs] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(i + 1).trim());
    }
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }
}

export interface GatewayClient {
  port: number;
  /** the gateway's server certificate (PEM), trusted for the request */
  ca: string;
}

/** One GET to the gateway as a browser (Accept: text/html unless `accept`), optionally with a client certificate. */
export function gatewayGet(gw: GatewayClient, url: string, opts: { jar?: Jar; accept?: string; cert?: { cert: string; key: string } } = {}): Promise<Res> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port: gw.port,
        servername: u.hostname,
        path: u.pathname + u.search,
        method: "GET",
        ca: gw.ca,
        ...(opts.cert ? { cert: opts.cert.cert, key: opts.cert.key } : {}),
        agent: false,
        headers: { host: u.host, accept: opts.accept ?? "text/html,application/xhtml+xml", ...(opts.jar?.header() ? { cookie: opts.jar.header() } : {}) },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => {
          const r = { status: res.statusCode ?? 0, headers: res.headers, body };
          opts.jar?.take(r);
          resolve(r);
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/**
 * A browser visit that signs in: `url` → 302 login → (the login method `idp`, or the only one) → the provider as
 * `account` → the callback. Returns the first answer, the callback URL the provider sent back and the callback's answer.
 */
export async function signInAt(
  gw: GatewayClient,
  provider: TestIdp,
  url: string,
  account: IdpAccount,
  opts: { jar: Jar; cert?: { cert: string; key: string }; idp?: string },
): Promise<{ first: Res; callbackUrl: URL; callback: Res }> {
  const first = await gatewayGet(gw, url, { jar: opts.jar, cert: opts.cert });
  if (first.status !== 302) throw new Error(`expected a redirect to sign in, got ${first.status}: ${first.body.slice(0, 300)}`);
  const login = `${String(first.headers.location)}${opts.idp ? `&idp=${opts.idp}` : ""}`;
  const toIdp = await gatewayGet(gw, login, { jar: opts.jar, cert: opts.cert });
  if (toIdp.status !== 302) throw new Error(`expected a redirect to the provider, got ${toIdp.status}: ${toIdp.body.slice(0, 300)}`);
  provider.login(account);
  const callbackUrl = await authorizeAtIdp(String(toIdp.headers.location), `${new URL(url).origin}/cdn-cgi/access/callback`);
  const callback = await gatewayGet(gw, callbackUrl.toString(), { jar: opts.jar, cert: opts.cert });
  return { first, callbackUrl, callback };
}
