/**
 * The first line of console authentication, for proxy.ts: does the request carry a next-auth session
 * cookie that decrypts with this instance's secret and has not expired? Pages, data loaders and route
 * handlers still check the user against the database themselves (lib/auth/session.ts); this check only
 * makes sure that nothing renders for a request without a genuine session.
 */
import { decode } from "next-auth/jwt";
import { getDb } from "../db/client";
import { getSetting } from "../db/settings";

/** next-auth's names: "__Secure-" when the console is served over https, the plain one otherwise. */
const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

interface CookieJar {
  get(name: string): { value: string } | undefined;
  getAll(): { name: string; value: string }[];
}

let stored: Promise<string | undefined> | undefined;

/** AUTH_SECRET, or the one generated on first start (the same choice as lib/auth/options.ts). */
function sessionSecret(): Promise<string | undefined> {
  const fromEnv = process.env.AUTH_SECRET || process.env.NEXTAUTH_SECRET;
  if (fromEnv) return Promise.resolve(fromEnv);
  stored ??= getDb()
    .then((db) => getSetting<string>(db, "auth_secret"))
    .then((s) => {
      if (!s) stored = undefined; // not generated yet (first start still bootstrapping): ask again next time
      return s;
    })
    .catch((err: unknown) => {
      stored = undefined;
      throw err;
    });
  return stored;
}

/** A cookie value, reassembled when next-auth split it into "<name>.0", "<name>.1", … (over 4 KB). */
function cookieValue(jar: CookieJar, name: string): string | undefined {
  const whole = jar.get(name)?.value;
  if (whole) return whole;
  const chunks = jar
    .getAll()
    .map((c) => ({ i: /^(.*)\.(\d+)$/.exec(c.name), value: c.value }))
    .filter((c) => c.i && c.i[1] === name)
    .sort((a, b) => Number(a.i![2]) - Number(b.i![2]));
  return chunks.length ? chunks.map((c) => c.value).join("") : undefined;
}

/**
 * Cookies that verified, with their expiry (ms): a browser sends the same cookie with every request, and
 * decrypting it (key derivation + JWE) costs far more than a lookup. Bounded; oldest entries go first.
 */
const verified = new Map<string, number>();
const MAX_VERIFIED = 2000;

function remember(token: string, exp: unknown): void {
  if (typeof exp !== "number") return;
  if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
  verified.set(token, exp * 1000);
}

/** True when a session cookie verifies: sealed with our secret, unexpired, naming a user (uid, or next-auth's sub). */
export async function hasVerifiedSession(jar: CookieJar): Promise<boolean> {
  const tokens = SESSION_COOKIES.map((n) => cookieValue(jar, n)).filter((v): v is string => !!v);
  if (!tokens.length) return false;
  const now = Date.now();
  for (const token of tokens) {
    const exp = verified.get(token);
    if (exp === undefined) continue;
    if (exp > now) return true;
    verified.delete(token);
  }
  let secret: string | undefined;
  try {
    secret = await sessionSecret();
  } catch (err) {
    // Without the database no session can be verified (and no page could load): treat as signed out.
    console.error("[proxy] cannot read the session secret:", err instanceof Error ? err.message : err);
    return false;
  }
  if (!secret) return false;
  for (const token of tokens) {
    try {
      const claims = await decode({ token, secret });
      const user = claims?.uid ?? claims?.sub;
      if (typeof user === "string" && user) {
        remember(token, claims?.exp);
        return true;
      }
    } catch {
      /* not ours, tampered or expired */
    }
  }
  return false;
}
