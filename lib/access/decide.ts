/**
 * The decision: SNI/Host agreement, the application for the path, the policies with the certificate verdict, and
 * what the origin is told. Synchronous and allocation-light for the gateway's cached path (`trace: false`); the
 * tester asks for the trace and the applications considered.
 */
import type { Decision, Outcome } from "../policy";
import { blockedBy, blockedReason } from "./blocked";
import { SIGN_IN_REASON } from "./identity";
import { appFor, explainMatch } from "./match";
import type { AccessApp, AccessDecision, AccessIdentity, AccessOutcome, AccessRequest, CertVerdict, HostSnapshot } from "./types";

const OUTCOME: Record<Outcome, AccessOutcome> = { allow: "allow", block: "block", bypass: "bypass", service_auth: "service_auth", default_deny: "block" };

/**
 * Why a request must be refused with 421 Misdirected Request (RFC 9110 §15.5.20), or null. The client certificate is
 * requested and validated for the TLS server name (`sni`; null when the client sent none or it names no configured
 * hostname); when the Host names a hostname that asks for or validates certificates differently, the chain was not
 * validated for it and must not be evaluated there.
 */
export function misdirected(sni: Pick<HostSnapshot, "hostname" | "trustKey" | "associated"> | null, host: Pick<HostSnapshot, "hostname" | "trustKey" | "associated">): string | null {
  const sniKey = sni ? sni.trustKey : "";
  if (sniKey === host.trustKey) return null;
  if (!sni || !sni.associated) {
    return sni && sni.hostname
      ? `The connection was made for ${sni.hostname}, which does not ask for a client certificate, but the request is for ${host.hostname}, which does. Connect to ${host.hostname} directly (TLS server name ${host.hostname}).`
      : `The connection named no TLS server name (SNI), so no client certificate was requested for ${host.hostname}. Connect using the name ${host.hostname}.`;
  }
  if (!host.associated) return `The connection was made for ${sni.hostname} (client certificate checked against its CAs), but the request is for ${host.hostname}, which has other settings. Connect to ${host.hostname} directly.`;
  return `The connection was made for ${sni.hostname}, whose client certificates are checked against other CAs than those of ${host.hostname}. Connect to ${host.hostname} directly (TLS server name ${host.hostname}).`;
}

/** Per verdict (verdicts of the cached path are shared and frozen), so the fast path builds it once. */
const identities = new WeakMap<CertVerdict, AccessIdentity>();

function identityOf(cert: CertVerdict): AccessIdentity | null {
  if (!cert.valid || !cert.sha256) return null;
  let id = identities.get(cert);
  if (!id) {
    id = Object.freeze({ commonName: cert.commonName, sub: cert.sha256.replace(/:/g, "").toLowerCase(), serial: cert.serial });
    identities.set(cert, id);
  }
  return id;
}

/** The log and 403 sentence: the policy sentence plus, for a refusal, what was wrong with the certificate. */
export function reasonOf(d: Decision, cert: CertVerdict): string {
  // A certificate let through without current revocation information says so in the log (./freshness).
  if (d.decision === "allow") return cert.alert ? `${d.reason} (${cert.alert})` : d.reason;
  const why = !cert.presented ? "no client certificate presented" : !cert.valid ? `client certificate invalid: ${cert.reason}` : null;
  return why ? `${d.reason} (${why})` : d.reason;
}

export interface DecideOptions {
  /** build the per-policy trace and the applications considered (the tester); false/absent is the gateway's fast path */
  trace?: boolean;
  /** the TLS server name's snapshot, when it is not `host` (see `misdirected`); undefined = same as host */
  sni?: HostSnapshot | null;
}

const EMPTY: never[] = [];

/** Decides one request on `host` (the Host header's hostname) with the certificate verdict of the connection. */
export function decide<A extends AccessApp>(host: HostSnapshot<A>, req: AccessRequest, cert: CertVerdict, opts?: DecideOptions): AccessDecision<A> {
  const trace = opts?.trace === true;
  if (opts && opts.sni !== undefined && opts.sni !== host) {
    const why = misdirected(opts.sni, host);
    if (why !== null) {
      return { outcome: "misdirected", decision: "deny", status: 421, application: null, policy: null, reason: `Misdirected request: ${why}`, evaluation: null, trace: EMPTY, considered: EMPTY, identity: null };
    }
  }
  let app: A | null;
  let considered = EMPTY as AccessDecision<A>["considered"];
  if (trace) ({ app, considered } = explainMatch(host.apps, req.key));
  else app = appFor(host.apps, req.key);
  if (!app) {
    const reason = host.apps.length ? `No application protects ${host.hostname}${req.key === "/" ? "" : req.key}` : `No application protects ${host.hostname}`;
    return { outcome: "no_application", decision: "deny", status: 404, application: null, policy: null, reason, evaluation: null, trace: EMPTY, considered, identity: null };
  }
  const blocked = host.blocked ? blockedBy(host.blocked, cert) : null;
  if (blocked) {
    // Instant lock (./blocked): refused on every application whatever its policies say, Bypass included.
    return { outcome: "block", decision: "deny", status: 403, application: app, policy: null, reason: blockedReason(blocked), evaluation: null, trace: EMPTY, considered, identity: null, blocked };
  }
  if (req.credentialError !== undefined) {
    // Strict service-token authentication: credentials that do not authenticate are refused before any policy.
    const reason = `Service token refused: ${req.credentialError}`;
    return { outcome: "unauthenticated", decision: "deny", status: 401, application: app, policy: null, reason, evaluation: null, trace: EMPTY, considered, identity: null };
  }
  const evaluation = app.evaluator.evaluate(
    {
      hostname: host.hostname,
      path: req.path,
      ip: req.ip,
      email: req.email,
      serviceTokenId: req.serviceTokenId,
      certificate: cert,
      hostnameAssociated: host.associated,
    },
    { trace },
  );
  const outcome = OUTCOME[evaluation.outcome];
  if (app.needsIdentity && !req.email && req.serviceTokenId === undefined && outcome !== "bypass" && outcome !== "service_auth") {
    // ./identity: nobody signed in where the policies need an email; Bypass and Service Auth decide without one.
    return { outcome: "sign_in", decision: "deny", status: 401, application: app, policy: null, reason: SIGN_IN_REASON, evaluation, trace: evaluation.trace, considered, identity: null };
  }
  const allowed = evaluation.decision === "allow";
  return {
    outcome,
    decision: evaluation.decision,
    status: allowed ? 200 : 403,
    application: app,
    policy: evaluation.policy,
    reason: reasonOf(evaluation, cert),
    evaluation,
    trace: evaluation.trace,
    considered,
    // Bypass tells the origin nothing (as Cloudflare); certificate fields only from a chain that validated.
    identity: allowed && outcome !== "bypass" ? identityOf(cert) : null,
  };
}
