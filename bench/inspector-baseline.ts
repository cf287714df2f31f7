/**
 * Browser entry bundled by bench/inspector.ts with esbuild: the floor for @peculiar/x509 — parse each PEM block
 * and describe it (names, validity, serial, key, extensions, SHA-256 thumbprint), nothing else.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

declare global {
  interface Window {
    x509Baseline: (input: string) => Promise<{ ms: number; count: number; longestSliceMs: number }>;
  }
}

window.x509Baseline = async (input: string) => {
  const t0 = performance.now();
  const blocks = input.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const out: unknown[] = [];
  let longestSliceMs = 0;
  let slice = performance.now();
  for (const pem of blocks) {
    const c = new x509.X509Certificate(pem);
    const bc = c.getExtension(x509.BasicConstraintsExtension);
    const ku = c.getExtension(x509.KeyUsagesExtension);
    const eku = c.getExtension(x509.ExtendedKeyUsageExtension);
    const ski = c.getExtension(x509.SubjectKeyIdentifierExtension);
    const aki = c.getExtension(x509.AuthorityKeyIdentifierExtension);
    const san = c.getExtension(x509.SubjectAlternativeNameExtension);
    const now = performance.now();
    longestSliceMs = Math.max(longestSliceMs, now - slice);
    const thumb = await c.getThumbprint("SHA-256"); // yields to the event loop (WebCrypto)
    slice = performance.now();
    out.push({
      subject: c.subject, issuer: c.issuer, serial: c.serialNumber, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(),
      alg: c.signatureAlgorithm.name, key: c.publicKey.algorithm.name, ca: bc?.ca ?? null, ku: ku?.usages ?? null, eku: eku?.usages ?? null,
      ski: ski?.keyId ?? null, aki: aki?.keyId ?? null, san: san?.names.toJSON() ?? [], thumb: new Uint8Array(thumb).length,
    });
  }
  longestSliceMs = Math.max(longestSliceMs, performance.now() - slice);
  return { ms: performance.now() - t0, count: out.length, longestSliceMs };
};
