/**
 * Policies → nginx `map`/`geo` blocks that compute, per application, the same allow/deny as the gateway's
 * lib/policy evaluation, for what nginx can see: Valid Certificate ($ssl_client_verify, plus revoked serials),
 * Common Name (parsed from $ssl_client_s_dn), IP ranges (geo on $remote_addr), Everyone. Identity and
 * service-token selectors never match here, exactly as in the gateway, which has no identity provider.
 *
 * Encoding: each rule is an atom "0"/"1" (a variable or a constant); a policy is a map over the concatenation of
 * its Include, Require and Exclude atoms with the regex "at least one Include 1, all Require 1, no Exclude 1";
 * the application is a map over its policies' bits in evaluation order: the first 1 decides.
 */
import { orderPolicies, parseRule, ruleSelector, ruleValue, type PolicyForEval } from "../policy";

export interface MapWriter {
  /** Allocate a variable name unique in the file. */
  name(prefix: string): string;
  blocks: string[];
  /** CN value → variable (per host), IP CIDR → geo variable (global) */
  cnVars: Map<string, string>;
  ipVars: Map<string, string>;
  notes: Set<string>;
}

export function newWriter(): MapWriter {
  let n = 0;
  return { name: (p) => `$pc_${p}_${++n}`, blocks: [], cnVars: new Map(), ipVars: new Map(), notes: new Set() };
}

/** RFC 2253 escaping as OpenSSL prints it for $ssl_client_s_dn (XN_FLAG_RFC2253: UTF-8 bytes ≥ 0x80 as \XX). */
export function rfc2253Escape(value: string): string {
  const bytes = Buffer.from(value, "utf8");
  let out = "";
  bytes.forEach((b, i) => {
    const c = String.fromCharCode(b);
    if (b >= 0x80 || b < 0x20 || b === 0x7f) out += `\\${b.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (',+"\\<>;'.includes(c) || (i === 0 && (c === "#" || c === " ")) || (i === bytes.length - 1 && c === " ")) out += `\\${c}`;
    else out += c;
  });
  return out;
}

/** A PCRE fragment matching `s` literally, with every non-alphanumeric character as \x{HH} (quote-safe). */
export function regexLiteral(s: string): string {
  return [...Buffer.from(s, "utf8")].map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `\\x{${b.toString(16).padStart(2, "0")}}`)).join("");
}

/** `${name}` form, so a following constant digit is not read as part of the variable name. */
const braced = (a: Atom) => (a.kind === "var" ? `\${${a.v.slice(1)}}` : a.v);
const q = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

type Atom = { kind: "const"; v: "0" | "1" } | { kind: "var"; v: string };

function atomFor(raw: unknown, decision: PolicyForEval["decision"], hostValid: string, w: MapWriter): Atom {
  const parsed = parseRule(raw);
  if (!parsed.ok) {
    w.notes.add("Invalid rules never match (as in the gateway).");
    return { kind: "const", v: "0" };
  }
  const sel = ruleSelector(parsed.rule);
  const value = ruleValue(parsed.rule) ?? "";
  switch (sel) {
    case "everyone":
      return { kind: "const", v: "1" };
    case "certificate":
      return { kind: "var", v: hostValid };
    case "common_name": {
      const key = `${hostValid}\u0000${value}`;
      let v = w.cnVars.get(key);
      if (!v) {
        v = w.name("cn");
        w.cnVars.set(key, v);
        const re = `~^1\\|(?:.*[^\\\\],)?CN=${regexLiteral(rfc2253Escape(value))}(?:[,+]|$)`;
        w.blocks.push(`# Common Name ${JSON.stringify(value)} on a valid certificate\nmap "${hostValid}|$ssl_client_s_dn" ${v} {\n    ${q(re)} 1;\n    default 0;\n}`);
      }
      return { kind: "var", v };
    }
    case "ip": {
      // Written into a geo block as it is: anything but a CIDR (an old or hand-edited row) never matches, as in the gateway.
      if (!/^[0-9A-Fa-f.:]+(?:\/\d{1,3})?$/.test(value)) {
        w.notes.add("Invalid IP ranges never match (as in the gateway).");
        return { kind: "const", v: "0" };
      }
      let v = w.ipVars.get(value);
      if (!v) {
        v = w.name("ip");
        w.ipVars.set(value, v);
        w.blocks.push(`geo $remote_addr ${v} {\n    default 0;\n    ${value} 1;\n}`);
      }
      return { kind: "var", v };
    }
    case "email":
    case "email_domain":
      w.notes.add(
        decision === "non_identity" || decision === "bypass"
          ? "Email rules never match in Service Auth / Bypass policies."
          : "Email rules need an identity provider login, which nginx cannot perform: they never match here (where the Portcullis gateway asks people to sign in, with 302 or 401, nginx answers 403).",
      );
      return { kind: "const", v: "0" };
    default:
      w.notes.add("Service token rules cannot be checked by nginx (no Access service-token headers): they never match here.");
      return { kind: "const", v: "0" };
  }
}

function policyBit(p: PolicyForEval, hostValid: string, w: MapWriter): Atom {
  const inc = (p.include ?? []).map((r) => atomFor(r, p.decision, hostValid, w));
  const req = (p.require ?? []).map((r) => atomFor(r, p.decision, hostValid, w));
  const exc = (p.exclude ?? []).map((r) => atomFor(r, p.decision, hostValid, w));
  if (!inc.length) return { kind: "const", v: "0" };
  const all = [...inc, ...req, ...exc];
  if (all.every((a) => a.kind === "const")) {
    const bits = all.map((a) => a.v);
    const m = bits.slice(0, inc.length).includes("1") && bits.slice(inc.length, inc.length + req.length).every((b) => b === "1") && bits.slice(inc.length + req.length).every((b) => b === "0");
    return { kind: "const", v: m ? "1" : "0" };
  }
  const v = w.name("policy");
  const i = inc.length;
  const re = `~^(?=[01]{0,${i - 1}}1)[01]{${i}}${req.length ? `1{${req.length}}` : ""}${exc.length ? `0{${exc.length}}` : ""}$`;
  w.blocks.push(`# policy ${JSON.stringify(p.name)} (${p.decision})\nmap "${all.map(braced).join("")}" ${v} {\n    ${q(re)} 1;\n    default 0;\n}`);
  return { kind: "var", v };
}

/** A variable that is "1" when the application allows the request, "0" otherwise (or a constant). */
export function applicationDecision(policies: readonly PolicyForEval[], hostValid: string, w: MapWriter, label: string): string {
  const ordered = orderPolicies(policies);
  const bits = ordered.map((p) => policyBit(p, hostValid, w));
  // Constant prefix decides statically.
  const firstConstHit = bits.findIndex((b) => b.kind === "const" && b.v === "1");
  const allow = (p: PolicyForEval) => (p.decision === "deny" ? "0" : "1");
  if (bits.length === 0 || bits.every((b) => b.kind === "const")) {
    return firstConstHit < 0 ? "0" : allow(ordered[firstConstHit]);
  }
  const v = w.name("app");
  const lines = ordered.map((p, j) => `    "~^0{${j}}1" ${allow(p)};  # ${JSON.stringify(p.name)}`).filter((_, j) => j < (firstConstHit < 0 ? ordered.length : firstConstHit + 1));
  w.blocks.push(`# application ${label}: first matching policy decides, no match = deny\nmap "${bits.map(braced).join("")}" ${v} {\n${lines.join("\n")}\n    default 0;\n}`);
  return v;
}
