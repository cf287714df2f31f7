/**
 * The whole decision in one call, with everything shown: the chain as received is validated (full steps, the
 * missing-CRL rule applied) for the TLS server name's trust store, then `decide` runs with the trace on. The tester
 * (Test mTLS page, `POST /api/v1/test-mtls`, `portcullis test`) uses this; the gateway runs the same two halves on
 * its cached path (`verifyChain` + `decide`).
 */
import { createValidator, type PkiInput, type ValidationResult } from "../pki";
import { applyCrlRule, NO_CERTIFICATE, unassociatedVerdict, verdictOfResult } from "./certificate";
import { decide, misdirected } from "./decide";
import { applyOcsp, applyStaleRule, ocspError, ocspStep, type OcspAnswer } from "./freshness";
import type { AccessApp, AccessDecision, AccessRequest, CertVerdict, HostSnapshot } from "./types";

const NO_TRUST = createValidator({ trustAnchors: [] });

export interface ExplainInput<A extends AccessApp> extends AccessRequest {
  /** the Host header's hostname */
  host: HostSnapshot<A>;
  /** the TLS server name's hostname (undefined: the same as `host`; null: no SNI or an unconfigured name) */
  sni?: HostSnapshot | null;
  /** the client certificate (PEM or DER), optionally followed by the intermediates it sent; null: none presented */
  chain: PkiInput | null;
  /** intermediates sent separately */
  untrusted?: PkiInput[];
  at: Date;
  /**
   * The leaf's OCSP answer when the TLS server name's hostname asks OCSP (resolved by the caller, which does the I/O,
   * from the validated chain: see `needsOcsp`); absent there: the step says it was not asked.
   */
  ocsp?: (validation: ValidationResult) => Promise<OcspAnswer | null>;
}

export interface Explained<A extends AccessApp> {
  decision: AccessDecision<A>;
  cert: CertVerdict;
  /** the full validation (null when nothing was presented, the hostname has no trust store, or it was misdirected) */
  validation: ValidationResult | null;
}

export async function explainAccess<A extends AccessApp>(input: ExplainInput<A>): Promise<Explained<A>> {
  const tls = input.sni === undefined ? input.host : input.sni;
  const opts = { trace: true, sni: input.sni };
  if (input.sni !== undefined && misdirected(input.sni, input.host) !== null) {
    return { decision: decide(input.host, input, NO_CERTIFICATE, opts), cert: NO_CERTIFICATE, validation: null };
  }
  if (input.chain === null) return { decision: decide(input.host, input, NO_CERTIFICATE, opts), cert: NO_CERTIFICATE, validation: null };
  const validator = tls?.validator ?? null;
  // Without a trust store the chain is still parsed (so the tester can show it) but never counts as valid.
  const mode = tls?.revocation?.staleMode ?? "block";
  const { result: checked, alert } = applyStaleRule(applyCrlRule(await (validator ?? NO_TRUST).validate(input.chain, { at: input.at, untrusted: input.untrusted })), mode);
  let validation = checked;
  let cert = validator ? verdictOfResult(validation, alert) : unassociatedVerdict(input.host.hostname, validation.leaf?.subjectCN ?? null, validation.leaf?.serialNumber ?? null);
  if (validator && tls?.revocation?.ocsp && cert.valid) {
    // The same rule as the gateway: only a chain that validated is asked about, and the answer can only refuse it or
    // carry an alert (./freshness).
    const answer = input.ocsp ? await input.ocsp(validation) : null;
    const step = ocspStep(answer, mode, input.ocsp ? "The certificate names no OCSP responder (Authority Information Access); not checked." : "Not asked by this caller.");
    const error = answer ? ocspError(answer, mode) : null;
    if (answer) cert = applyOcsp(cert, answer, mode);
    validation = { ...validation, steps: [...validation.steps, step], errors: error ? [...validation.errors, error] : validation.errors, ok: validation.ok && !error };
  }
  return { decision: decide(input.host, input, cert, opts), cert, validation };
}
