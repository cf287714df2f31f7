/**
 * Server-side inspection: the isomorphic checks plus a strict DER parse of every certificate with
 * Node's OpenSSL-backed `crypto.X509Certificate` (catches e.g. illegal INTEGER padding that the
 * lenient JS parser accepts). Node only — never import this from client components.
 */
import { X509Certificate } from "node:crypto";
import { certLabel } from "./describe";
import { inspectParsed, parseCertificateBlocks, type InspectOptions } from "./inspect";
import { splitInput } from "./pem";
import { verdictOf, type InspectResult, type PkiIssue } from "./types";
import { parseCertificate } from "./x509";

export async function inspectChainStrict(input: string | Uint8Array, opts: InspectOptions = {}): Promise<InspectResult> {
  const split = splitInput(input);
  const parsed = parseCertificateBlocks(split.blocks);
  const result = await inspectParsed(parsed.certificates, [...split.issues, ...parsed.issues], opts);
  const strict: PkiIssue[] = [];
  result.certificates.forEach((summary, i) => {
    try {
      new X509Certificate(summary.pem);
    } catch (e) {
      const code = (e as { code?: string }).code ?? (e as Error).message;
      const cert = parseCertificate(new Uint8Array(Buffer.from(summary.pem.replace(/-----[^-]+-----|\s/g, ""), "base64")));
      strict.push({
        severity: "error",
        code: "malformed_der",
        message: `${certLabel(cert, i)} is not strictly valid DER and would be rejected by OpenSSL (${String(code).slice(0, 80)}).`,
        certificateIndex: i,
      });
      result.certificates[i] = { ...summary, verdict: "error" };
    }
  });
  if (strict.length === 0) return result;
  const issues = [...result.issues, ...strict];
  return { ...result, issues, verdict: verdictOf(issues) };
}
