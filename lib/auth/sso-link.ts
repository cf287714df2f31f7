import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * A single sign-on attempt for an account that has a password is not linked on the provider's word alone: it is
 * remembered in this short-lived, signed, HttpOnly cookie, and the next successful password sign-in in the same
 * browser (the person proving they own the account) links the provider subject. Bound to the account and the
 * subject, and useless without the password.
 */
export const SSO_LINK_COOKIE = "portcullis.sso-link";
export const SSO_LINK_MAX_AGE_S = 10 * 60;

export interface SsoLink {
  /** The provider's subject (`sub`). */
  subject: string;
  /** The Portcullis user it is for. */
  userId: string;
}

const mac = (secret: string, payload: string) => createHmac("sha256", secret).update(`portcullis-sso-link:${payload}`).digest();

export function signSsoLink(secret: string, link: SsoLink, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ s: link.subject, u: link.userId, e: now + SSO_LINK_MAX_AGE_S * 1000 })).toString("base64url");
  return `${payload}.${mac(secret, payload).toString("base64url")}`;
}

/** The link the cookie holds, or null when it is missing, forged, malformed or expired. */
export function verifySsoLink(secret: string, value: string | undefined | null, now = Date.now()): SsoLink | null {
  if (!value || value.length > 2048) return null;
  const [payload, sig, extra] = value.split(".");
  if (!payload || !sig || extra !== undefined) return null;
  const expected = mac(secret, payload);
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const v = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { s?: unknown; u?: unknown; e?: unknown };
    if (typeof v.s !== "string" || typeof v.u !== "string" || typeof v.e !== "number" || v.e <= now) return null;
    return { subject: v.s, userId: v.u };
  } catch {
    return null;
  }
}

export function ssoLinkCookie(value: string, secure: boolean): string {
  return `${SSO_LINK_COOKIE}=${value}; Path=/; Max-Age=${SSO_LINK_MAX_AGE_S}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

export function clearSsoLinkCookie(secure: boolean): string {
  return `${SSO_LINK_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
