/** `portcullis verify`: like `openssl verify -purpose sslclient [-crl_check_all]`, using lib/pki. */
import { readFileSync } from "node:fs";
import { createValidator } from "../lib/pki/validator";
import { parseCommandArgs, UsageError, type Command } from "./command";

const HELP = `Usage: portcullis verify [options] CERT...

Validate client certificate(s) against trusted CA certificates, like
\`openssl verify -purpose sslclient -crl_check_all\`. PEM or DER inputs.
A CERT file may contain the client certificate followed by its intermediates.

Options:
  --ca FILE         trusted CA certificate(s) (PEM chain or DER); repeatable, required
  --untrusted FILE  extra intermediate certificate(s); repeatable
  --crl FILE        CRL (PEM or DER); repeatable. When given, every certificate of
                    the path needs a CRL from its issuer (like -crl_check_all)
  --at ISO          validate at this time (ISO 8601) instead of now
  --purpose P       client (default: leaf and CAs must allow clientAuth) or any
  --strict          like -x509_strict: missing Authority/Subject Key Identifiers
                    (RFC 5280 §4.2.1.1-2) are errors
  --json            print the full result as JSON
  -h, --help        show this help

Output: "CERT: OK" (exit 0), or "error CODE at depth N: MESSAGE" lines followed by
"CERT: verification failed" (exit 2). Usage errors exit 1.`;

function read(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** PEM files are passed as text (so text around blocks is tolerated); DER as bytes. */
function input(file: string): string | Uint8Array {
  const bytes = read(file);
  return bytes[0] === 0x30 ? bytes : new TextDecoder().decode(bytes);
}

export const verifyCommand: Command = {
  async run(args) {
    const parsed = parseCommandArgs(args, {
      ca: { type: "string", multiple: true },
      untrusted: { type: "string", multiple: true },
      crl: { type: "string", multiple: true },
      at: { type: "string" },
      purpose: { type: "string" },
      strict: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    const { values: v, positionals } = parsed;
    if (v.help) {
      console.log(HELP);
      return 0;
    }
    if (!v.ca?.length) throw new UsageError("at least one --ca FILE is required");
    if (positionals.length === 0) throw new UsageError("no certificate to verify (CERT...)");
    const purpose = v.purpose ?? "client";
    if (purpose !== "client" && purpose !== "any") throw new UsageError(`--purpose must be "client" or "any", not "${purpose}"`);
    let at: Date | undefined;
    if (v.at !== undefined) {
      at = new Date(v.at);
      if (Number.isNaN(at.getTime())) throw new UsageError(`--at: invalid date "${v.at}" (use ISO 8601)`);
    }
    const validator = createValidator({ trustAnchors: v.ca.map(input), crls: (v.crl ?? []).map(input), strict: v.strict === true });
    if (validator.anchorCount === 0) throw new UsageError(`no CA certificate could be read from --ca (${validator.loadErrors[0] ?? "empty"})`);
    for (const e of validator.loadErrors) console.error(`warning: ${e}`);
    const untrusted = (v.untrusted ?? []).map(input);
    let failed = false;
    const results = [];
    for (const file of positionals) {
      const r = await validator.validate(input(file), { at, untrusted, purpose });
      results.push({ file, ...r });
      if (!r.ok) failed = true;
      if (v.json) continue;
      if (r.ok) console.log(`${file}: OK`);
      else {
        for (const e of r.errors) console.log(`error ${e.code} at depth ${e.depth}: ${e.message}`);
        console.log(`${file}: verification failed`);
      }
    }
    if (v.json) console.log(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
    return failed ? 2 : 0;
  },
};
