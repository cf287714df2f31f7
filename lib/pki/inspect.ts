/**
 * CA-bundle inspector (design.md §3). Runs in the browser (Web Worker) and on the server.
 *
 * Limits: input ≤ 1 MiB (checked before parsing), at most MAX_CERTIFICATES certificates are
 * inspected (more → `too_many_certificates`; a public-root bundle has ~150, an mTLS chain 1–4).
 */
import { analyzeChain } from "./chain";
import { checkCertificate } from "./checks";
import { certLabel, describeCertificate } from "./describe";
import { fingerprints, isSelfSigned } from "./links";
import type { ParseCache } from "./parse-cache";
import { splitInput, type PemBlock } from "./pem";
import { verdictOf, type InspectResult, type PkiIssue } from "./types";
import { parseCertificate, type ParsedCertificate } from "./x509";

export const MAX_CERTIFICATES = 200;

export interface InspectOptions {
  /** Reference time for validity checks (default: now). */
  now?: Date;
  /** Reuse certificates parsed (and verified) by earlier inspections: the live inspector's worker keeps one. */
  cache?: ParseCache;
}

export interface ParsedBlocks {
  certificates: ParsedCertificate[];
  issues: PkiIssue[];
}

/**
 * Parse certificate blocks (from `splitInput`). Callers that want to stay responsive can call this
 * on slices of the block list and concatenate the results before `inspectParsed`.
 */
export function parseCertificateBlocks(blocks: PemBlock[], cache?: ParseCache): ParsedBlocks {
  const certificates: ParsedCertificate[] = [];
  const issues: PkiIssue[] = [];
  for (const b of blocks) {
    try {
      certificates.push(cache ? cache.parse(b.der) : parseCertificate(b.der));
    } catch (e) {
      const reason = e instanceof Error ? e.message : "unknown error";
      issues.push({
        severity: "error",
        code: "malformed_certificate",
        message: `Block #${b.index + 1} is not a valid X.509 certificate (${reason.slice(0, 120)}).`,
        certificateIndex: null,
      });
    }
  }
  return { certificates, issues };
}

/** Run every §3 check on already-parsed certificates. */
export async function inspectParsed(
  parsed: ParsedCertificate[],
  preIssues: PkiIssue[] = [],
  opts: InspectOptions = {},
): Promise<InspectResult> {
  const now = opts.now ?? new Date();
  const issues: PkiIssue[] = [...preIssues];
  let input = parsed;
  if (input.length > MAX_CERTIFICATES) {
    issues.push({
      severity: "error",
      code: "too_many_certificates",
      message: `The bundle has ${input.length} certificates; at most ${MAX_CERTIFICATES} are accepted (only the first ${MAX_CERTIFICATES} were inspected).`,
      certificateIndex: null,
    });
    input = input.slice(0, MAX_CERTIFICATES);
  }

  // Start the self-signature checks (the bulk of a root bundle's WebCrypto work, memoised per certificate) now, so
  // that they overlap the digests and the JS work below instead of following them.
  for (const c of input) if (c.selfIssued) isSelfSigned(c).catch(() => undefined);

  // Drop exact duplicates, keeping the first occurrence.
  const fps = await Promise.all(input.map((c) => fingerprints(c)));
  const firstBySha = new Map<string, number>();
  const certs: ParsedCertificate[] = [];
  const dupNotices: PkiIssue[] = [];
  input.forEach((c, pos) => {
    const seen = firstBySha.get(fps[pos].sha256);
    if (seen === undefined) {
      firstBySha.set(fps[pos].sha256, certs.length);
      certs.push(c);
    } else {
      dupNotices.push({
        severity: "warning",
        code: "duplicate",
        message: `The certificate at position ${pos + 1} is an exact duplicate of ${certLabel(certs[seen], seen)}; the duplicate was dropped.`,
        certificateIndex: seen,
      });
    }
  });
  issues.push(...dupNotices);

  for (let i = 0; i < certs.length; i++) issues.push(...checkCertificate(certs[i], i, now));
  const chain = await analyzeChain(certs);
  issues.push(...chain.issues);

  if (certs.length === 0 && !issues.some((i) => i.severity === "error")) {
    issues.push({ severity: "error", code: "no_certificates", message: "No certificate found in the input.", certificateIndex: null });
  }

  const certificates = await Promise.all(
    certs.map((c, i) => describeCertificate(c, i, verdictOf(issues.filter((x) => x.certificateIndex === i)))),
  );
  let expiresOn: string | null = null;
  for (const c of certs) if (expiresOn === null || c.notAfter.toISOString() < expiresOn) expiresOn = c.notAfter.toISOString();

  return {
    certificates,
    links: chain.links,
    issues,
    verdict: verdictOf(issues),
    reorder: chain.reorder,
    // describeCertificate already encoded each certificate (toPem of the same DER).
    normalizedPem: certificates.map((c) => c.pem).join(""),
    expiresOn,
    fingerprint: certificates.length ? `MD5 Fingerprint=${certificates[0].md5Fingerprint}` : null,
  };
}

/** Inspect a pasted / uploaded CA bundle (PEM text, DER bytes or bare base64). */
export async function inspectChain(input: string | Uint8Array, opts: InspectOptions = {}): Promise<InspectResult> {
  const split = splitInput(input);
  const parsed = parseCertificateBlocks(split.blocks, opts.cache);
  return inspectParsed(parsed.certificates, [...split.issues, ...parsed.issues], opts);
}

/** PEM of the bundle in the order suggested by `result.reorder` (or as is). */
export function applyReorder(result: InspectResult): string {
  const order = result.reorder ?? result.certificates.map((_, i) => i);
  return order.map((i) => result.certificates[i].pem).join("");
}
