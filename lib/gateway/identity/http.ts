/**
 * The Access endpoints under `/cdn-cgi/access/` and the cookies of the sign-in flow as HTTP sees them: the paths,
 * the cookie names, reading a cookie from a request, writing one (always Secure, HttpOnly, SameSite=Lax, no Domain:
 * this host only) and the origin the browser addressed.
 */
import type { IncomingMessage } from "node:http";

export const ACCESS_PREFIX = "/cdn-cgi/access/";
export const LOGIN_PATH = "/cdn-cgi/access/login";
export const CALLBACK_PATH = "/cdn-cgi/access/callback";
export const IDENTITY_PATH = "/cdn-cgi/access/get-identity";
export const LOGOUT_PATH = "/cdn-cgi/access/logout";
export const SESSION_COOKIE = "CF_Authorization";
/** Binds a pending sign-in to the browser that started it (only its SHA-256 is stored). */
export const BINDING_COOKIE = "CF_Access_Sign_In";
/** How long a browser has to come back from its provider. */
export const SIGN_IN_TTL_MS = 10 * 60_000;

export function cookieValue(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (header === undefined) return null;
  for (const part of String(header).split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

/** `https://host[:port]` as the browser addressed this gateway (the Host header's port; the name already validated). */
export function originOf(req: IncomingMessage, hostname: string): string {
  const m = /:(\d{1,5})$/.exec(String(req.headers.host ?? ""));
  const port = m && m[1] !== "443" ? `:${m[1]}` : "";
  return `https://${hostname.includes(":") ? `[${hostname}]` : hostname}${port}`;
}

/** A Set-Cookie value: this host only (no Domain), never readable by scripts nor sent over plain HTTP. */
export const cookie = (name: string, value: string, maxAge: number, path = "/") => `${name}=${value}; Path=${path}; Max-Age=${Math.max(0, Math.floor(maxAge))}; Secure; HttpOnly; SameSite=Lax`;
