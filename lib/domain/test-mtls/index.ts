/**
 * The client-certificate tester (Test mTLS page, `POST /api/v1/test-mtls`, `portcullis test`): the same decision
 * the gateway makes, from lib/access (`explainAccess`: the chain validated for the hostname's trust store, the
 * application matched by domain + path, the policies with the trace on), shown step by step.
 *
 * Two steps so callers can cache: `buildHostnameContext` (DB reads, compiled validator and policies of every
 * application of the hostname) and `evaluateClientCertificate(ctx, pem, {at, path, ip})` (memoised per leaf by the
 * validator). `contextFromConfig` builds the same context from data the caller already holds (no DB).
 *
 * The parts: ./input (the CONTRACT's input validated and resolved), ./context (the hostname's context), ./evaluate
 * (lib/access's decision), ./result (the steps, the chain and ./origin-headers shaped into `TestMtlsResult`), ./types.
 *
 * Revocation follows lib/access (a CA without a stored CRL is not checked for revocation). A stored CRL is read
 * from the database once per certificate version (../crls `trustSourcesForHostname`) and parsed once per content
 * (lib/pki's CRL cache, shared with the gateway), so repeating a test costs no CRL parse.
 *
 * Testing changes nothing: the submitted certificate is never stored, logged or audited, and test runs
 * are not written to the audit log (which records changes). Viewers and read tokens may test.
 *
 * CONTRACT (the page, the API and the CLI code against it; also in lib/access/index.ts):
 * - input: `hostname` | `application_id` | `url`, `certificate` (optional with `service_token_id` or `email`: a
 *   client that sends no certificate), `at?`, `ip?`. `url` is `https://host[:port]/path?query`
 *   (http also accepted; anything else: field error on `url` "Enter a URL such as https://app.example.com/admin");
 *   hostname and path come from it, the path normalised by lib/access/path (a refused path: field error on `url`
 *   with the normaliser's message). `hostname` alone means path "/"; `application_id` alone means that
 *   application's domain and path; `url` with a host other than `hostname`'s, or than the chosen application's:
 *   field error on `url`. `ip` (optional): the client IP; without it IP rules do not match ("client IP address
 *   unknown"). `sni` (optional, the API and the CLI): the TLS server name the client sent, "" for none; when it is not
 *   the tested hostname the request is decided as the gateway decides it (421 Misdirected when the trust stores
 *   differ, lib/access `misdirected`; otherwise the chain is validated for the SNI's trust store).
 *   `service_token_id` (optional): a service token's id or Client ID; the request is decided as if its holder sent
 *   its CF-Access-Client-Id and current CF-Access-Client-Secret (lib/access `serviceTokenVerdict` at `at`: a
 *   disabled or expired token is `unauthenticated`, 401); an unknown one is a field error on `service_token_id`.
 *   `email` (optional): decide as if signed in at the gateway as this person (Emails / Emails ending in rules read
 *   it); without it, an application whose Allow or Block policies use an email answers `sign_in` (lib/access).
 * - result: `TestMtlsResult` (./types); new in this version: `url`, `path`, `application.path`,
 *   `applications_considered`, `access_decision` (lib/access AccessOutcome). `decision` stays "allow" | "deny".
 */
import { ok, type Result } from "../core/result";
import { buildHostnameContext, sniContext } from "./context";
import { evaluateClientCertificate } from "./evaluate";
import { parseTestInput } from "./input";
import type { TestMtlsResult } from "./types";

export type { StepGroup, TestStep, ChainNode, TestMtlsResult, HostnameContext, HostnameConfig, EvaluateOptions } from "./types";
export { contextFromConfig, buildHostnameContext } from "./context";
export { evaluateClientCertificate } from "./evaluate";
export { MAX_TEST_CERTIFICATE_BYTES, URL_HINT, parseTestUrl } from "./input";

/** The one entry point for the page, the REST API and the CLI (see CONTRACT above). */
export async function testClientCertificate(input: unknown): Promise<Result<TestMtlsResult>> {
  const parsed = await parseTestInput(input);
  if (!parsed.ok) return parsed;
  const { hostname, certificate, options, sniName } = parsed.value;
  const ctx = await buildHostnameContext(hostname);
  return ok(await evaluateClientCertificate(ctx, certificate, { ...options, sni: await sniContext(sniName, ctx) }));
}
