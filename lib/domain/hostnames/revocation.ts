/**
 * Per-hostname revocation settings (stored in `hostname_settings` beside forwarding and China network, edited on
 * their own so neither form overwrites the other): **When a CRL is out of date** — `block` (fail closed, the
 * default) or `allow` (fail open, the request passes and the access log and alerts say so) — and **Check OCSP**
 * (ask the client certificate's OCSP responder too). lib/access applies them (./freshness) at every door.
 */
import { inArray } from "drizzle-orm";
import { z } from "zod";
import type { RevocationSettings, StaleMode } from "../../access/freshness";
import { getDb } from "../../db/client";
import { hostnameSettings } from "../../db/schema";
import type { Actor } from "../core/actor";
import { mutate } from "../core/mutate";
import { unlessAssociated } from "./associated";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";

export interface RevocationSettingDto {
  hostname: string;
  crl_stale_mode: StaleMode;
  ocsp: boolean;
}

const asMode = (v: string | null | undefined): StaleMode => (v === "allow" ? "allow" : "block");

/** The settings of `hostnames` (defaults for those never set), as lib/access takes them. */
export async function revocationSettingsFor(hostnames: string[]): Promise<Map<string, RevocationSettings>> {
  const out = new Map<string, RevocationSettings>(hostnames.map((h) => [h, { staleMode: "block", ocsp: false }]));
  if (!hostnames.length) return out;
  const db = await getDb();
  const rows = await db
    .select({ hostname: hostnameSettings.hostname, mode: hostnameSettings.crlStaleMode, ocsp: hostnameSettings.ocsp, strict: hostnameSettings.strictValidation })
    .from(hostnameSettings)
    .where(inArray(hostnameSettings.hostname, hostnames));
  for (const r of rows) out.set(r.hostname, { staleMode: asMode(r.mode), ocsp: r.ocsp, ...(r.strict ? { strict: true } : {}) });
  return out;
}

/** The DTO of each hostname (the configure page, the API). */
export async function getRevocationSettings(hostnames: string[]): Promise<RevocationSettingDto[]> {
  const m = await revocationSettingsFor(hostnames);
  return hostnames.map((hostname) => ({ hostname, crl_stale_mode: m.get(hostname)!.staleMode, ocsp: m.get(hostname)!.ocsp }));
}

export const revocationSettingSchema = z.object({
  hostname: z.string({ error: "Hostname is required" }).trim().toLowerCase().min(1, "Hostname is required"),
  crl_stale_mode: z.enum(["block", "allow"], { error: 'crl_stale_mode must be "block" or "allow"' }),
  ocsp: z.boolean({ error: "ocsp must be true or false" }),
});

/** Input `{hostname, crl_stale_mode, ocsp}` checked, or the validation failure naming the field. */
export function parseRevocationSetting(input: unknown): Result<RevocationSettingDto> {
  const parsed = revocationSettingSchema.safeParse(input ?? {});
  if (parsed.success) return ok(parsed.data);
  const fieldErrors = zodFieldErrors(parsed.error.issues);
  return fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the revocation settings.", fieldErrors);
}

/** Sets one associated hostname's revocation settings. Input `{hostname, crl_stale_mode, ocsp}`. */
export async function updateRevocationSettings(actor: Actor, input: unknown): Promise<Result<RevocationSettingDto>> {
  const parsed = parseRevocationSetting(input);
  if (!parsed.ok) return parsed;
  const s = parsed.value;
  return mutate(actor, async (tx, audit) => {
    const refused = await unlessAssociated(tx, s.hostname);
    if (refused) return refused;
    const [before] = await tx.select().from(hostnameSettings).where(inArray(hostnameSettings.hostname, [s.hostname])).limit(1);
    const now = new Date();
    await tx
      .insert(hostnameSettings)
      .values({ hostname: s.hostname, crlStaleMode: s.crl_stale_mode, ocsp: s.ocsp, updatedAt: now })
      .onConflictDoUpdate({ target: hostnameSettings.hostname, set: { crlStaleMode: s.crl_stale_mode, ocsp: s.ocsp, updatedAt: now } });
    await audit({
      action: "mtls_hostname_settings.revocation",
      resourceType: "mtls_hostname_settings",
      resourceId: null,
      before: { hostname: s.hostname, crl_stale_mode: asMode(before?.crlStaleMode), ocsp: before?.ocsp ?? false },
      after: s,
    });
    return ok(s);
  });
}
