/**
 * Drives next-auth's real request handling (its core, the same code the /api/auth route runs) in process, the
 * way app/api/auth/[...nextauth]/route.ts does: inside the request context (client address, cookies, cookies
 * to set). A small cookie jar carries next-auth's cookies (CSRF, state, PKCE, session) between steps.
 */
// next-auth does not export its core; this is the module its route handler calls.
import { AuthHandler } from "../../node_modules/next-auth/core/index.js";
import { getAuthOptions } from "@/lib/auth/options";
import { parseCookieHeader, withAuthRequest, type AuthRequestContext } from "@/lib/auth/request-context";
import { userFromSessionCookies } from "@/lib/auth/session-token";

export const ORIGIN = "http://127.0.0.1:3000";
process.env.NEXTAUTH_URL = ORIGIN;

export class Browser {
  readonly jar = new Map<string, string>();
  constructor(readonly ip = "127.0.0.1") {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  /** A copy holding the same cookies (a stolen cookie replayed from elsewhere). */
  clone(ip = this.ip): Browser {
    const b = new Browser(ip);
    for (const [k, v] of this.jar) b.jar.set(k, v);
    return b;
  }

  private setRaw(setCookie: string) {
    const [pair, ...attrs] = setCookie.split(";");
    const i = pair.indexOf("=");
    const name = pair.slice(0, i).trim();
    const value = pair.slice(i + 1).trim();
    const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]) < Date.now()));
    if (expired || value === "") this.jar.delete(name);
    else this.jar.set(name, value);
  }

  async call(req: { action: string; providerId?: string; method?: string; body?: Record<string, string>; query?: Record<string, string> }) {
    const options = await getAuthOptions();
    const ctx: AuthRequestContext = { ip: this.ip, userAgent: "vitest", cookies: parseCookieHeader(this.cookieHeader()), secure: false, setCookies: [] };
    const res = await withAuthRequest(ctx, () =>
      AuthHandler({
        req: {
          origin: ORIGIN,
          method: req.method ?? "GET",
          action: req.action as never,
          providerId: req.providerId,
          body: req.body,
          query: req.query ?? {},
          cookies: Object.fromEntries(this.jar),
          headers: { host: new URL(ORIGIN).host, "user-agent": "vitest", "x-forwarded-for": this.ip, cookie: this.cookieHeader() },
          error: req.query?.error,
        },
        options,
      }),
    );
    for (const c of res.cookies ?? []) {
      const expired = c.options?.maxAge === 0 || (c.options?.expires && new Date(c.options.expires).getTime() < Date.now());
      if (expired || c.value === "") this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    for (const raw of ctx.setCookies) this.setRaw(raw);
    return res;
  }

  async csrf(): Promise<string> {
    const res = await this.call({ action: "csrf" });
    return (res.body as { csrfToken: string }).csrfToken;
  }

  /** The credentials sign-in the login form makes. Returns the error shown, or null when signed in. */
  async signIn(email: string, password: string): Promise<string | null> {
    const csrfToken = await this.csrf();
    const res = await this.call({ action: "callback", providerId: "credentials", method: "POST", body: { csrfToken, email, password, json: "true" } });
    const error = res.redirect ? new URL(res.redirect, ORIGIN).searchParams.get("error") : "no redirect";
    return error;
  }

  async signOut(): Promise<void> {
    const csrfToken = await this.csrf();
    await this.call({ action: "signout", method: "POST", body: { csrfToken, json: "true" } });
  }

  /** The console's own check (lib/auth/session.ts runs exactly this on each request). */
  user() {
    return userFromSessionCookies((name) => this.jar.get(name));
  }

  /** What GET /api/auth/session answers. */
  async sessionEndpoint(): Promise<Record<string, unknown>> {
    return (await this.call({ action: "session" })).body as Record<string, unknown>;
  }
}
