/**
 * A login method's client secret at rest: sealed with the secret box under its own purpose when saved, opened only
 * for the gateway (which needs it at the token endpoint). Neither direction throws for a missing or wrong key: saving
 * fails with the sentence that says what to set, and a secret that does not open is reported per method.
 */
import { asc } from "drizzle-orm";
import { getDb } from "../../db/client";
import { loginMethods } from "../../db/schema";
import { openSecret, sealSecret, SecretBoxError, SecretKeyUnavailable } from "../../server/secret-box";
import { fail } from "../core/result";

/** The secret-box purpose of a login method's client secret (the AAD: a sealed value opens only for this use). */
export const CLIENT_SECRET_PURPOSE = "login_method.client_secret";

/** What the gateway needs of a login method: the DTO's fields plus the opened client secret (or why it does not open). */
export interface GatewayLoginMethod {
  id: string;
  name: string;
  issuerUrl: string;
  clientId: string;
  clientSecret: string | null;
  /** set when the stored secret cannot be opened (another key, PostgreSQL without the key): the sign-in page says so */
  secretError: string | null;
  scopes: string;
  emailClaim: string;
}

/** Seals a client secret, or the failure that says why it cannot be stored (no key). */
export function seal(secret: string): { sealed: string } | { error: ReturnType<typeof fail> } {
  try {
    return { sealed: sealSecret(secret, CLIENT_SECRET_PURPOSE) };
  } catch (e) {
    if (e instanceof SecretKeyUnavailable) return { error: fail("unavailable", e.message, { client_secret: [e.message] }) };
    throw e;
  }
}

/**
 * Every login method with its client secret opened, for the gateway (the process that owns the database; gateway
 * workers get this list over IPC). A secret that does not open is reported per method, never thrown.
 */
export async function loginMethodsForGateway(): Promise<GatewayLoginMethod[]> {
  const db = await getDb();
  const rows = await db.select().from(loginMethods).orderBy(asc(loginMethods.name), asc(loginMethods.createdAt));
  return rows.map((r) => {
    let clientSecret: string | null = null;
    let secretError: string | null = null;
    try {
      clientSecret = openSecret(r.clientSecretSealed, CLIENT_SECRET_PURPOSE);
    } catch (e) {
      if (!(e instanceof SecretBoxError || e instanceof SecretKeyUnavailable)) throw e;
      secretError = e.message;
    }
    return { id: r.id, name: r.name, issuerUrl: r.issuerUrl, clientId: r.clientId, clientSecret, secretError, scopes: r.scopes, emailClaim: r.emailClaim };
  });
}
