import { decode } from "next-auth/jwt";
import { getAuthOptions } from "./options";
import { sessionUser, type SessionUser } from "./sessions";

/** next-auth's session cookie: `__Secure-` over https, plain over http; split into `.0`, `.1`… when large. */
const NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

function readCookie(get: (name: string) => string | undefined, name: string): string | undefined {
  const whole = get(name);
  if (whole) return whole;
  let joined = "";
  for (let i = 0; i < 8; i++) {
    const part = get(`${name}.${i}`);
    if (!part) break;
    joined += part;
  }
  return joined || undefined;
}

/**
 * The signed-in user for a request's cookies (`get` reads one cookie by name), or null: the cookie must decrypt
 * and name a live session row (lib/auth/sessions.ts). Needs no Next.js request scope, so the proxy can use it
 * with `request.cookies.get(name)?.value`.
 */
export async function userFromSessionCookies(get: (name: string) => string | undefined): Promise<SessionUser | null> {
  for (const name of NAMES) {
    const raw = readCookie(get, name);
    if (!raw) continue;
    try {
      const token = await decode({ token: raw, secret: (await getAuthOptions()).secret! });
      return token ? await sessionUser(token.sid, token.uid) : null;
    } catch {
      return null;
    }
  }
  return null;
}
