/** The time-dependent half of path validation: evaluating a core's recorded time checks at a given time. */
import type { Core, Op, ValidationResult, ValidationStep } from "./validate";
import { verifyError, type VerifyError } from "./verify-errors";

/** Evaluate the time-dependent checks of a core at `at` (validity inclusive at both ends). */
export function finalize(core: Core, at: Date): ValidationResult {
  const t = at.getTime();
  let atIso: string | null = null;
  const errors: VerifyError[] = [];
  const steps: ValidationStep[] = [];
  for (const op of core.ops) {
    if (op.kind === "error") errors.push(op.error);
    else if (op.kind === "step") steps.push(op.step);
    else if (op.kind === "certTime") {
      const { from, to } = op;
      atIso ??= at.toISOString();
      const early = t < op.notBefore;
      const late = t > op.notAfter;
      steps.push({ id: `validity:${op.depth}`, label: `${op.label}: validity period`, ok: !early && !late, detail: `Valid from ${from} to ${to}; checked at ${atIso}.` });
      if (early) errors.push(verifyError("certificate_not_yet_valid", op.depth, `${op.label} is not valid before ${from}.`));
      if (late) errors.push(verifyError("certificate_has_expired", op.depth, `${op.label} expired on ${to}.`));
    } else if (op.kind === "signerTime") {
      const ok = t >= op.notBefore && t <= op.notAfter;
      steps.push({ id: `crl-signer-time:${op.depth}`, label: `${op.label}: CRL issuer validity`, ok, detail: `${op.subject}: valid from ${new Date(op.notBefore).toISOString()} to ${new Date(op.notAfter).toISOString()}.` });
      if (!ok) errors.push(verifyError("crl_path_validation_error", op.depth, `The CRL used for ${op.label} was signed by a key whose certificate path is not valid now (${op.subject}).`));
    } else {
      const early = t < op.thisUpdate;
      const late = op.nextUpdate !== null && t > op.nextUpdate;
      const { next } = op;
      steps.push({ id: `crl-time:${op.depth}`, label: `${op.label}: CRL freshness`, ok: !early && !late, detail: `CRL issued ${op.issued}, ${next}.` });
      if (early) errors.push(verifyError("crl_not_yet_valid", op.depth, `The CRL used for ${op.label} is not valid yet.`));
      if (late) errors.push(verifyError("crl_has_expired", op.depth, `The CRL used for ${op.label} has expired (${next}).`));
    }
  }
  return { ok: errors.length === 0, errors, path: core.path, steps, leaf: core.leaf };
}

type TimeOp = Extract<Op, { kind: "certTime" | "crlTime" | "signerTime" }>;
interface Split {
  /** the errors that do not depend on the time, in `ops` order */
  fixed: readonly VerifyError[];
  times: TimeOp[];
}
const splits = new WeakMap<Core, Split>();

function splitOf(core: Core): Split {
  let s = splits.get(core);
  if (!s) {
    const fixed: VerifyError[] = [];
    const times: TimeOp[] = [];
    for (const op of core.ops) {
      if (op.kind === "error") fixed.push(op.error);
      else if (op.kind !== "step") times.push(op);
    }
    s = { fixed: Object.freeze(fixed), times };
    splits.set(core, s);
  }
  return s;
}

/**
 * The errors of `finalize(core, at)` (same errors, same order) without building the steps. When every time check
 * passes at `at` — the usual case — the result is the core's frozen array of time-independent errors, the same array
 * on every call (callers may cache what they derive from it by identity).
 */
export function errorsAt(core: Core, at: Date): readonly VerifyError[] {
  const s = splitOf(core);
  const t = at.getTime();
  for (const op of s.times) {
    const inside = op.kind === "crlTime" ? t >= op.thisUpdate && (op.nextUpdate === null || t <= op.nextUpdate) : t >= op.notBefore && t <= op.notAfter;
    if (!inside) return finalize(core, at).errors;
  }
  return s.fixed;
}

