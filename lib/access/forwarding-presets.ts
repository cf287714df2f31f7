/**
 * The forwarding presets a hostname can turn on besides "Client certificate forwarding": sets of request headers
 * that tell the origin about the client certificate the way other gateways do. Plain data (no Node imports): the
 * console's hostname settings list them too.
 */
export const FORWARDING_PRESETS = ["rfc9440", "tls_client_auth", "xfcc"] as const;
export type ForwardingPreset = (typeof FORWARDING_PRESETS)[number];

export const PRESET_INFO: Record<ForwardingPreset, { label: string; help: string }> = {
  rfc9440: {
    label: "RFC 9440 headers",
    help: "Client-Cert and Client-Cert-Chain (:base64(DER):, the chain in TLS order without the root) on every request; omitted when over 10 KiB / 16 KiB.",
  },
  tls_client_auth: {
    label: "TLS client auth headers",
    help: "Cloudflare's cf-cert-* headers: presented, verified, revoked, issuer and subject DN, serials, fingerprints, validity and key identifiers.",
  },
  xfcc: {
    label: "X-Forwarded-Client-Cert",
    help: "Envoy's X-Forwarded-Client-Cert (By, Hash, Subject, URI, DNS) for origins behind a service mesh.",
  },
};

export const isForwardingPreset = (v: unknown): v is ForwardingPreset => typeof v === "string" && (FORWARDING_PRESETS as readonly string[]).includes(v);

/** Stored values in the canonical order, unknown ones dropped (a value written by a newer version is ignored). */
export function normalizePresets(values: readonly unknown[] | null | undefined): ForwardingPreset[] {
  const set = new Set((values ?? []).filter(isForwardingPreset));
  return FORWARDING_PRESETS.filter((p) => set.has(p));
}
