/**
 * Issue #12, finding 6: 20 wrong passwords for an email from varying addresses used to refuse even the correct
 * password for 15 minutes, from anywhere. Through next-auth's real credentials sign-in (test/helpers/next-auth.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { and, count, eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { createFirstAdmin } from "@/lib/domain/users";
import { Browser } from "../helpers/next-auth";

const EMAIL = "admin@example.com";
const PW = "the-real-admin-password";

beforeAll(async () => {
  const r = await createFirstAdmin({ email: EMAIL, name: "", password: PW }, null);
  if (!r.ok) throw new Error(r.error.message);
});

describe("sign-in throttling", () => {
  it("an attacker spraying wrong passwords from many addresses cannot lock the real admin out", async () => {
    for (let i = 1; i <= 25; i++) expect(await new Browser(`198.51.100.${i}`).signIn(EMAIL, `wrong-guess-${i}`)).toBe("Invalid email or password.");
    // The real admin, from an address that has not failed: signed in.
    const admin = new Browser("203.0.113.10");
    expect(await admin.signIn(EMAIL, PW)).toBeNull();
    expect((await admin.user())?.email).toBe(EMAIL);
    // An address that has failed on this account while it is under attack waits (even with the right password).
    expect(await new Browser("198.51.100.3").signIn(EMAIL, PW)).toMatch(/^Too many failed sign-in attempts from your network\. Try again in \d+ (seconds?|minutes?)\.$/);
    const db = await getDb();
    const [{ n }] = await db.select({ n: count() }).from(auditEvents).where(and(eq(auditEvents.action, "auth.sign_in_throttled"), eq(auditEvents.ip, "198.51.100.3")));
    expect(n).toBe(1);
  });

  it("one address guessing is held back after 5 failures, while other addresses are not", async () => {
    const attacker = new Browser("192.0.2.50");
    for (let i = 0; i < 5; i++) expect(await attacker.signIn("someone@example.com", "nope-nope-nope")).toBe("Invalid email or password.");
    expect(await attacker.signIn("someone@example.com", "nope-nope-nope")).toMatch(/^Too many failed sign-in attempts/);
    expect(await new Browser("192.0.2.51").signIn(EMAIL, PW)).toBeNull();
  });
});
