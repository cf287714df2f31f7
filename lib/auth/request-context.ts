import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What next-auth's callbacks need from the HTTP request they run in, and may add to its response. next-auth
 * passes the request only to `authorize`; the route handler (app/api/auth) opens this context around each
 * call so that the OIDC sign-in callback and the JWT callback can see the client's address and cookies, and
 * ask for a cookie to be set. Tests drive next-auth's core the same way.
 */
export interface AuthRequestContext {
  ip: string;
  userAgent: string | null;
  /** Request cookies, by name. */
  cookies: Record<string, string>;
  /** Whether the console is served over https (cookies get `Secure`). */
  secure: boolean;
  /** Set-Cookie values the route handler appends to next-auth's response. */
  setCookies: string[];
}

const storage = new AsyncLocalStorage<AuthRequestContext>();

export function withAuthRequest<T>(ctx: AuthRequestContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(ctx, fn);
}

export function authRequest(): AuthRequestContext | undefined {
  return storage.getStore();
}

export function parseCookieHeader(header: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      out[name] = part.slice(i + 1).trim();
    }
  }
  return out;
}
