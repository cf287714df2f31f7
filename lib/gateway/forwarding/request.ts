/** The forwarding headers of one allowed request through the Node engine (the decision's certificate and the hostname's settings). */
import type { HostContext } from "../context";
import type { CertOutcome } from "../decide";
import { serverUriOf } from "./fields";
import { forwardedCertificate, NOTHING_FORWARDED, type ForwardedCertificate } from "./headers";

/**
 * `leaf`: the connection's leaf when the decision carries a certificate identity (a chain that validated, not
 * Bypass), else null; a Bypass decision tells the origin nothing at all (pass `bypass`).
 */
export function forwardedForRequest(ctx: HostContext, cert: CertOutcome, o: { leaf: Buffer | null; bypass: boolean; firstRequest: boolean; by: string | null }): ForwardedCertificate {
  const presets = ctx.forwardingPresets ?? [];
  if (o.bypass || (!ctx.forwarding && !presets.length)) return NOTHING_FORWARDED;
  const { presented } = cert.context;
  return forwardedCertificate(
    { presented, leaf: o.leaf, issuers: o.leaf ? cert.issuers : [], failure: presented && !cert.verdict.valid ? (cert.verdict.reason ?? null) : null },
    { legacy: ctx.forwarding, presets, firstRequest: o.firstRequest, by: o.by },
  );
}

/** The gateway certificate's first URI SAN (Envoy's XFCC By), or null. */
export const serverUri = serverUriOf;

/** The access log's note for conditions of the forwarded headers (" [Client-Cert-Chain omitted: too large …]"), or "". */
export const forwardingNote = (f: ForwardedCertificate): string => (f.notes.length ? ` [${f.notes.join("; ")}]` : "");
