/**
 * The one access decision. Pure and isomorphic like lib/pki and lib/policy (no Node, no database, no React).
 *
 *   gateway (lib/gateway)            ─┐
 *   Test mTLS page / API / CLI        ├─▶ lib/access ─▶ lib/pki (chain validation), lib/policy (policies)
 *     (lib/domain/test-mtls)       │
 *   nginx export (lib/export)        ─┘   (application order and matching, the revocation rule)
 *
 * Input: a configuration snapshot per hostname (`compileHost`: CAs and CRLs → validator and trust key, the
 * forwarding setting, applications with domain + optional path and their compiled policies) and a request (the TLS
 * server name's snapshot, the Host's snapshot, the target normalised by ./path, the client chain as received, the
 * client IP, an optional identity email and service token id — or why presented service-token credentials did not
 * authenticate (./service-token) —, the time).
 * Output (`decide`, `explainAccess`): the outcome (allow, block, bypass, service_auth, no_application,
 * misdirected, unauthenticated, sign_in), the application that matched and why (and the others considered), the deciding policy, the trace
 * when asked for, and the identity the origin is told about (only from a validated chain; none for Bypass).
 *
 * Rules that live here once: applications match on domain + path, most specific first, on segment boundaries
 * (./match); a CA without a stored CRL is not checked for revocation (./certificate, and as a plan a proxy
 * configuration is rendered from: ./revocation); a request whose Host has another trust store than its TLS server
 * name is misdirected (421, ./decide; the nginx export renders the no-SNI case from `misdirected` too); service-token
 * credentials that do not authenticate get 401 once an application is found, before any policy (./service-token);
 * an application whose Allow or Block policies use an email answers `sign_in` (401) to a request without a signed-in
 * email or service token, unless Bypass or Service Auth decided it (./identity).
 *
 * CONTRACT of the tester (lib/domain/test-mtls `testClientCertificate`, used by the Test mTLS page,
 * `POST /api/v1/test-mtls` and `portcullis test`):
 * - input: `hostname` | `application_id` | `url` (`https://host[:port]/path?query`, http accepted; anything else is
 *   the field error "Enter a URL such as https://app.example.com/admin"), `certificate`, `at`, optional `ip`.
 *   With `url`, hostname and path come from it (path normalised by ./path; a refused path is a field error on `url`
 *   with the normaliser's message); `hostname` alone means path "/"; `application_id` alone means that
 *   application's domain and path. `url` and `hostname` naming different hosts: field error on `url`. Without `ip`,
 *   IP rules do not match and say "client IP address unknown".
 * - result (TestMtlsResult): besides the existing fields, `url` (the normalised URL tested), `path` (normalised),
 *   `application.path` (the application's path or null), `applications_considered: {id, name, domain, matched,
 *   why}[]`, and `access_decision` (an AccessOutcome). `decision: "allow" | "deny"` stays for compatibility.
 */
export * from "./types";
export * from "./path";
export * from "./match";
export * from "./certificate";
export * from "./decide";
export * from "./compile";
export * from "./explain";
export * from "./revocation";
export * from "./service-token";
export * from "./identity";
export * from "./blocked";
export * from "./freshness";
