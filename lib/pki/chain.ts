/**
 * Chain structure of an uploaded CA bundle (design.md §3.3): who issued whom, order, completeness,
 * path length. Signatures are only verified on candidate links found by name (and AKI/SKI), so the
 * cost is O(n) signature checks for a bundle of n certificates.
 */
import { bytesEqual } from "./der";
import { certLabel } from "./describe";
import { checkSignedBy, isSelfSigned, keyIdMatch } from "./links";
import type { ChainLink, PkiIssue } from "./types";
import type { ParsedCertificate } from "./x509";

export interface ChainAnalysis {
  links: ChainLink[];
  issues: PkiIssue[];
  parent: (number | null)[];
  selfSigned: boolean[];
  reorder: number[] | null;
}

export async function analyzeChain(certs: ParsedCertificate[]): Promise<ChainAnalysis> {
  const n = certs.length;
  const label = (i: number) => certLabel(certs[i], i);
  const issues: PkiIssue[] = [];
  const links: ChainLink[] = [];
  const parent: (number | null)[] = new Array(n).fill(null);
  const broken: boolean[] = new Array(n).fill(false);
  const selfSigned = await Promise.all(certs.map((c) => isSelfSigned(c)));

  const bySubject = new Map<string, number[]>();
  certs.forEach((c, i) => {
    const list = bySubject.get(c.subject.key);
    if (list) list.push(i);
    else bySubject.set(c.subject.key, [i]);
  });

  await Promise.all(
    certs.map(async (c, i) => {
      if (selfSigned[i]) return;
      if (c.selfIssued && (bySubject.get(c.subject.key)?.length ?? 0) === 1) {
        broken[i] = true;
        issues.push({
          severity: "error",
          code: "bad_signature",
          message: `${label(i)} names itself as its issuer, but its signature does not verify with its own key.`,
          certificateIndex: i,
        });
        return;
      }
      let candidates = (bySubject.get(c.issuer.key) ?? []).filter((j) => j !== i);
      let nameOk = true;
      if (candidates.length === 0 && c.authorityKeyId) {
        // Same key under a different name: report the name mismatch rather than a missing issuer.
        candidates = certs
          .map((_, j) => j)
          .filter((j) => j !== i && certs[j].subjectKeyId && bytesEqual(certs[j].subjectKeyId!, c.authorityKeyId!));
        nameOk = false;
      }
      if (candidates.length === 0) return;
      const checks = await Promise.all(candidates.map((j) => checkSignedBy(c, certs[j])));
      const scored = candidates.map((j, k) => ({ j, sig: checks[k], kid: keyIdMatch(c, certs[j]) }));
      const pick =
        scored.find((s) => s.sig === "valid" && s.kid !== false) ??
        scored.find((s) => s.sig === "valid") ??
        scored.find((s) => s.sig === "unsupported" && s.kid !== false) ??
        scored.find((s) => s.kid !== false) ??
        scored[0];
      const sigValid = pick.sig === "valid";
      const link: ChainLink = {
        from: i,
        to: pick.j,
        nameMatch: nameOk,
        keyIdMatch: pick.kid,
        signatureValid: sigValid,
        ok: nameOk && pick.kid !== false && sigValid,
      };
      links.push(link);
      const err = (code: string, message: string) =>
        issues.push({ severity: "error", code, message, certificateIndex: i });
      if (!nameOk) {
        err(
          "issuer_mismatch",
          `${label(i)} was issued by "${c.issuer.text}", but ${label(pick.j)} (which has the matching key identifier) is named "${certs[pick.j].subject.text}".`,
        );
      } else if (pick.kid === false) {
        err(
          "key_id_mismatch",
          `${label(i)}: its Authority Key Identifier does not match the Subject Key Identifier of its issuer ${label(pick.j)}.`,
        );
      }
      if (pick.sig === "invalid") {
        err(
          "bad_signature",
          `${label(i)} claims to be issued by ${label(pick.j)}, but its signature does not verify with that certificate's key (forged or corrupted link).`,
        );
      } else if (pick.sig === "unsupported") {
        issues.push({
          severity: "warning",
          code: "signature_unverifiable",
          message: `The signature of ${label(i)} by ${label(pick.j)} cannot be checked here (unsupported algorithm or key).`,
          certificateIndex: i,
        });
      }
      if (pick.sig === "invalid" && nameOk) broken[i] = true;
      else parent[i] = pick.j;
    }),
  );
  links.sort((a, b) => a.from - b.from);

  for (let i = 0; i < n; i++) {
    if (selfSigned[i] || parent[i] !== null || broken[i]) continue;
    issues.push({
      severity: "error",
      code: "incomplete_chain",
      message: `incomplete chain: upload the root that issued ${label(i)} (issuer: ${certs[i].issuer.text}).`,
      certificateIndex: i,
    });
  }

  // Children before their issuer; chains kept together (post-order from each top).
  const kids: number[][] = Array.from({ length: n }, () => []);
  parent.forEach((p, i) => {
    if (p !== null) kids[p].push(i);
  });
  const order: number[] = [];
  const seen = new Uint8Array(n);
  const visit = (i: number) => {
    if (seen[i]) return;
    seen[i] = 1;
    for (const k of kids[i]) visit(k);
    order.push(i);
  };
  const topOf = (i: number) => {
    const guard = new Set<number>();
    let cur = i;
    while (parent[cur] !== null && !guard.has(cur)) {
      guard.add(cur);
      cur = parent[cur]!;
    }
    return cur;
  };
  for (let i = 0; i < n; i++) visit(topOf(i));
  const position = new Array<number>(n);
  order.forEach((idx, pos) => (position[idx] = pos));
  const misplaced = parent.findIndex((p, i) => p !== null && p < i) ;
  let reorder: number[] | null = null;
  if (misplaced !== -1) {
    reorder = order;
    const p = parent[misplaced]!;
    issues.push({
      severity: "error",
      code: "wrong_order",
      message: `The certificates are in the wrong order: ${label(misplaced)} must come before its issuer ${label(p)} (intermediate(s) first, root last). Use "Reorder" to fix it.`,
      certificateIndex: misplaced,
    });
  }

  // pathLenConstraint: non-self-issued CA certificates below each CA (the future leaf is not counted).
  const depthMemo = new Map<number, number>();
  const depthBelow = (i: number, stack: Set<number>): number => {
    const m = depthMemo.get(i);
    if (m !== undefined) return m;
    stack.add(i);
    let d = 0;
    for (const k of kids[i]) {
      if (stack.has(k)) continue;
      const counts = certs[k].basicConstraints?.ca === true && !certs[k].selfIssued ? 1 : 0;
      d = Math.max(d, counts + depthBelow(k, stack));
    }
    stack.delete(i);
    depthMemo.set(i, d);
    return d;
  };
  certs.forEach((c, i) => {
    const limit = c.basicConstraints?.ca ? c.basicConstraints.pathLength : null;
    if (limit === null || limit === undefined) return;
    const d = depthBelow(i, new Set());
    if (d > limit) {
      issues.push({
        severity: "error",
        code: "path_length_exceeded",
        message: `${label(i)} allows at most ${limit} intermediate CA certificate${limit === 1 ? "" : "s"} below it (pathlen:${limit}), but this bundle has ${d}.`,
        certificateIndex: i,
      });
    }
  });

  return { links, issues, parent, selfSigned, reorder };
}
