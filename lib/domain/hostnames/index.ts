/**
 * Associated hostnames of mTLS certificates: per-hostname settings (Cloudflare's
 * `/access/certificates/settings`), the hostname → certificates map used by policies, applications and the
 * gateway, and the impact of removing associations on applications that use certificate selectors.
 */
import { asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { FORWARDING_PRESETS, normalizePresets, type ForwardingPreset } from "../../access/forwarding-presets";
import { getDb, type DbOrTx } from "../../db/client";
import { certificateHostnames, hostnameSettings, mtlsCertificates } from "../../db/schema";
import type { Actor } from "../core/actor";
import { mutate } from "../core/mutate";
import { fail, ok, type Result } from "../core/result";

export interface HostnameSettingDto {
  hostname: string;
  client_certificate_forwarding: boolean;
  china_network: boolean;
  /** extra certificate header sets for the origin (lib/access/forwarding-presets) */
  forwarding_presets: ForwardingPreset[];
}

export interface ImpactedApplication {
  id: string;
  name: string;
  hostname: string;
}

/** Settings of associated hostnames (all of them, or only `hostnames`), defaults for those never set. */
export async function getHostnameSettings(hostnames?: string[]): Promise<HostnameSettingDto[]> {
  const db = await getDb();
  const assoc = db.selectDistinct({ hostname: certificateHostnames.hostname }).from(certificateHostnames);
  const rows = await (hostnames ? assoc.where(inArray(certificateHostnames.hostname, hostnames.length ? hostnames : [""])) : assoc);
  const names = rows.map((r) => r.hostname).sort();
  if (!names.length) return [];
  const set = await db.select().from(hostnameSettings).where(inArray(hostnameSettings.hostname, names));
  const byHost = new Map(set.map((s) => [s.hostname, s]));
  return names.map((hostname) => ({
    hostname,
    client_certificate_forwarding: byHost.get(hostname)?.clientCertificateForwarding ?? false,
    china_network: byHost.get(hostname)?.chinaNetwork ?? false,
    forwarding_presets: normalizePresets(byHost.get(hostname)?.forwardingPresets),
  }));
}

const settingSchema = z.object({
  hostname: z.string({ error: "Hostname is required" }).trim().toLowerCase().min(1, "Hostname is required"),
  client_certificate_forwarding: z.boolean({ error: "client_certificate_forwarding must be true or false" }),
  china_network: z.boolean({ error: "china_network must be true or false" }),
  // Optional: a client that does not know the presets leaves them as they are.
  forwarding_presets: z
    .array(z.enum(FORWARDING_PRESETS, { error: `forwarding_presets may contain only ${FORWARDING_PRESETS.join(", ")}` }), { error: "forwarding_presets must be a list" })
    .max(FORWARDING_PRESETS.length, `forwarding_presets has at most ${FORWARDING_PRESETS.length} entries`)
    .optional(),
});
const settingsSchema = z.array(settingSchema, { error: "settings must be a list" }).max(1000, "At most 1000 settings at once");

/** Upserts the given hostnames' settings (others are left as they are); only associated hostnames. */
export async function updateHostnameSettings(actor: Actor, input: unknown): Promise<Result<HostnameSettingDto[]>> {
  const raw = Array.isArray(input) ? input : (input as { settings?: unknown } | null)?.settings;
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    return fail("validation", parsed.error.issues[0].message, { settings: parsed.error.issues.map((i) => i.message) });
  }
  const wanted = new Map(parsed.data.map((s) => [s.hostname, s]));
  const result = await mutate(actor, async (tx, audit) => {
    const names = [...wanted.keys()];
    if (!names.length) return ok([] as HostnameSettingDto[]);
    const assoc = new Set(
      (
        await tx
          .selectDistinct({ hostname: certificateHostnames.hostname })
          .from(certificateHostnames)
          .where(inArray(certificateHostnames.hostname, names))
      ).map((r) => r.hostname),
    );
    const unknown = names.filter((h) => !assoc.has(h));
    if (unknown.length) {
      const msgs = unknown.map((h) => `${h} is not an associated hostname of any mTLS certificate.`);
      return fail("validation", msgs[0], { settings: msgs });
    }
    const before = await tx.select().from(hostnameSettings).where(inArray(hostnameSettings.hostname, names));
    const now = new Date();
    const presetsBefore = new Map(before.map((b) => [b.hostname, normalizePresets(b.forwardingPresets)]));
    const after: HostnameSettingDto[] = [];
    for (const s of wanted.values()) {
      const presets = s.forwarding_presets ? normalizePresets(s.forwarding_presets) : (presetsBefore.get(s.hostname) ?? []);
      await tx
        .insert(hostnameSettings)
        .values({ hostname: s.hostname, clientCertificateForwarding: s.client_certificate_forwarding, chinaNetwork: s.china_network, forwardingPresets: presets, updatedAt: now })
        .onConflictDoUpdate({
          target: hostnameSettings.hostname,
          set: { clientCertificateForwarding: s.client_certificate_forwarding, chinaNetwork: s.china_network, forwardingPresets: presets, updatedAt: now },
        });
      after.push({ hostname: s.hostname, client_certificate_forwarding: s.client_certificate_forwarding, china_network: s.china_network, forwarding_presets: presets });
    }
    after.sort((a, b) => a.hostname.localeCompare(b.hostname));
    await audit({
      action: "mtls_hostname_settings.update",
      resourceType: "mtls_hostname_settings",
      resourceId: null,
      before: before.map((b) => ({ hostname: b.hostname, client_certificate_forwarding: b.clientCertificateForwarding, china_network: b.chinaNetwork, forwarding_presets: normalizePresets(b.forwardingPresets) })),
      after,
    });
    return ok(after);
  });
  return result;
}

/** Every associated hostname → ids of the certificates whose CA chains form its trust store. */
export async function associatedHostnames(): Promise<Record<string, string[]>> {
  const db = await getDb();
  const rows = await db.select().from(certificateHostnames).orderBy(asc(certificateHostnames.hostname));
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.hostname] ??= []).push(r.certificateId);
  return out;
}

/** The stored CA chains (and CRLs) that form `hostname`'s trust store (gateway, client-certificate tester). */
export async function certificatesForHostname(
  hostname: string,
): Promise<{ id: string; name: string; pem: string; crlPem: string | null }[]> {
  const db = await getDb();
  return db
    .select({ id: mtlsCertificates.id, name: mtlsCertificates.name, pem: mtlsCertificates.certificatePem, crlPem: mtlsCertificates.crlPem })
    .from(mtlsCertificates)
    .innerJoin(certificateHostnames, eq(certificateHostnames.certificateId, mtlsCertificates.id))
    .where(eq(certificateHostnames.hostname, hostname.trim().toLowerCase()))
    .orderBy(asc(mtlsCertificates.name));
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The application (alias `a`) has a policy with a Valid Certificate or Common Name rule. */
const CERTIFICATE_SELECTOR_POLICY = sql`exists (
  select 1 from application_policies ap join policies p on p.id = ap.policy_id
  where ap.application_id = a.id and exists (
    select 1 from jsonb_array_elements(p.include || p.require || p.exclude) r
    where jsonb_typeof(r) = 'object' and (r ? 'certificate' or r ? 'common_name')
  )
)`;

/**
 * Applications whose certificate-selector policies (Valid Certificate / Common Name, in include, require or
 * exclude) would be left unmatched if certificate `certificateId` kept only `newHostnames` (null = deleted):
 * their hostname is associated with this certificate today, with no other certificate, and not in the new list.
 */
export async function certificateHostnameImpact(certificateId: string, newHostnames: string[] | null): Promise<ImpactedApplication[]> {
  if (!UUID_RE.test(certificateId)) return [];
  const keep = (newHostnames ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  return (await impactQuery([certificateId], keep)).get(certificateId) ?? [];
}

/**
 * `certificateHostnameImpact(id, null)` for many certificates in one query (the Mutual TLS list shows each
 * row's Delete warning): certificate id → impacted applications, ordered by name.
 */
export async function certificateDeletionImpacts(certificateIds: string[]): Promise<Map<string, ImpactedApplication[]>> {
  return impactQuery(certificateIds.filter((id) => UUID_RE.test(id)), []);
}

async function impactQuery(ids: string[], keep: string[]): Promise<Map<string, ImpactedApplication[]>> {
  const out = new Map<string, ImpactedApplication[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  const db = await getDb();
  const keepCond = keep.length ? sql`and a.hostname not in (${sql.join(keep.map((h) => sql`${h}`), sql`, `)})` : sql``;
  const res = await db.execute(sql`
    select ch.certificate_id, a.id, a.name, a.hostname
    from certificate_hostnames ch
    join applications a on a.hostname = ch.hostname
    where ch.certificate_id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})
      and not exists (select 1 from certificate_hostnames o where o.hostname = ch.hostname and o.certificate_id <> ch.certificate_id)
      ${keepCond}
      and ${CERTIFICATE_SELECTOR_POLICY}
    order by a.name, a.id`);
  for (const r of (res as unknown as { rows: (ImpactedApplication & { certificate_id: string })[] }).rows) {
    out.get(String(r.certificate_id))?.push({ id: String(r.id), name: String(r.name), hostname: String(r.hostname) });
  }
  return out;
}

/** One sentence naming the affected applications (shown after Save / Delete and in the Delete dialog). */
export function impactWarning(apps: ImpactedApplication[], what: "update" | "delete"): string {
  const list = apps.map((a) => `${a.name} (${a.hostname})`).join(", ");
  const verb = what === "delete" ? "Deleting this certificate leaves" : "Without these hostnames,";
  const tail = "Valid Certificate / Common Name rules can no longer match, so certificate-based access to them fails.";
  return what === "delete"
    ? `${verb} ${apps.length === 1 ? "this application" : `${apps.length} applications`} with no mTLS certificate: ${list}. Their ${tail}`
    : `${verb} ${apps.length === 1 ? "this application has" : `${apps.length} applications have`} no mTLS certificate: ${list}. Their ${tail}`;
}

/** True when `host` is an associated hostname of at least one mTLS certificate. */
export async function isAssociatedHostname(db: DbOrTx, host: string): Promise<boolean> {
  const [row] = await db
    .select({ h: certificateHostnames.hostname })
    .from(certificateHostnames)
    .where(eq(certificateHostnames.hostname, host.toLowerCase()))
    .limit(1);
  return !!row;
}
