/**
 * The fixed text of the nginx export (./nginx): the header's list of what nginx cannot express, the bodies nginx
 * answers itself, and the header and cookie clean-up it applies to every proxied request.
 */

export const LIMITATIONS = [
  "Limitations compared with the Portcullis gateway:",
  "- No Access JWT: nginx cannot sign tokens, so there is no CF_Authorization cookie and no Cf-Access-Jwt-Assertion header.",
  "- Email / Emails ending in rules need an identity-provider login and never match (the gateway has no IdP either).",
  "- Service Token / Any Access Service Token rules are not checked by nginx and never match here (the Portcullis gateway checks them: CF-Access-Client-Id / -Secret).",
  "- Blocked certificates (Mutual TLS → Blocked certificates) are refused by serial number and issuer Common Name (nginx has",
  "  no SHA-256 fingerprint variable); a block known only by its fingerprint cannot be written (the notes below say so). A",
  "  block or unblock takes effect here when this file is exported and reloaded again; the Portcullis gateway applies it at once.",
  "- Certificate forwarding: nginx cannot build Cf-Client-Cert-Der-Base64, Cf-Client-Cert-Sha256 or RFC 9440",
  "  Client-Cert / Client-Cert-Chain values; it sends X-Client-Cert (URL-encoded PEM, $ssl_client_escaped_cert) on the",
  "  first request of a connection instead. Client-sent copies of all those headers are always removed.",
  "- Revocation follows the gateway's rule: a CA without a stored CRL is not checked. ssl_crl makes nginx require a CRL",
  "  from EVERY CA of the chain (CRL_CHECK_ALL), so it is used only when every CA has one (and then an intermediate CA",
  "  the client sends that is not stored fails). Otherwise the serial numbers each CA's CRL revokes are matched with",
  "  $ssl_client_serial on certificates that CA issued (its Common Name in $ssl_client_i_dn): leaf certificates only,",
  "  without checking the CRL's next update.",
  "- When a CRL is out of date / Check OCSP (per hostname): not expressible. ssl_crl refuses every client of a CA whose CRL",
  "  has expired (Block) and has no Allow and alert; the serial-number match never looks at the next update. nginx's",
  "  ssl_ocsp would fail closed with no Allow and alert and no per-responder source in the log, so OCSP is not exported:",
  "  this configuration does not ask any OCSP responder. The hostname's comments say when Portcullis does.",
  "- TLS server name (SNI) and Host: like the gateway, a request for a hostname that asks for a client certificate is",
  "  answered 421 when the connection named no SNI or another name than the Host. The gateway serves such a request when",
  "  both hostnames have the same CAs and CRLs; nginx answers 421 to it.",
  "- An expired or not-yet-valid client certificate fails nginx's own verification (status 495, answered with the 403 page)",
  "  before any policy runs; the gateway lets a policy without certificate rules (Everyone, IP ranges) allow such a request.",
  "- Common Name rules match the CN in $ssl_client_s_dn (RFC 2253 form); a DN with an escaped comma before CN= may confuse it.",
  "- The 403 page is HTML only (the gateway answers JSON to Accept: application/json). WebSocket upgrades are not proxied.",
  "- Paths are matched as the gateway matches them: case-insensitively, on segment boundaries, a segment's ;parameters",
  "  ignored, after nginx's own normalisation (dot segments, //, percent-decoding); encoded / \\ NUL and dot segments with",
  "  ;parameters are refused with 400; the origin gets the normalised path. The client's CF_Authorization cookie is",
  "  removed (several copies of it: the whole Cookie header is), header names with _ are ignored (nginx's default), and",
  "  client address headers are replaced; X-Forwarded-* names not listed in the server blocks are passed on as sent.",
];

export const FORBIDDEN_BODY =
  "<!doctype html><html lang=en><head><meta charset=utf-8><title>Forbidden</title></head><body><main><h1>Forbidden</h1>" +
  "<p>Access to this application requires a valid client certificate that one of its policies allows.</p></main></body></html>\\n";

export const BLOCKED_BODY =
  "<!doctype html><html lang=en><head><meta charset=utf-8><title>Forbidden</title></head><body><main><h1>Forbidden</h1>" +
  "<p>This client certificate is blocked. Ask an administrator of this application.</p></main></body></html>\\n";

export const BAD_REQUEST_BODY =
  "<!doctype html><html lang=en><head><meta charset=utf-8><title>Bad request</title></head><body><main><h1>Bad request</h1>" +
  "<p>The request target was refused.</p></main></body></html>\\n";

/** Client X-Forwarded-* headers cleared besides X-Forwarded-For/-Proto/-Host (nginx cannot drop a header by prefix). */
export const FORWARDED_EXTRA = ["X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Server", "X-Forwarded-Ssl", "X-Forwarded-Scheme", "X-Forwarded-Uri", "X-Original-Url", "X-Rewrite-Url"];

/** The Cookie header without CF_Authorization (any case, as the gateway); several copies of it: no Cookie header. */
export const COOKIE_MAP = [
  "# the client's own CF_Authorization cookie never reaches the origin",
  "map $http_cookie $pc_cookie {",
  '    "~*(?:^|;)\\s*cf_authorization=[^;]*;(?:.*;)?\\s*cf_authorization=" "";',
  '    "~*^\\s*cf_authorization=[^;]*(?:;\\s*(?<pc_ck_rest>.*))?$" "$pc_ck_rest";',
  '    "~*^(?<pc_ck_a>.*?);\\s*cf_authorization=[^;]*(?<pc_ck_b>.*)$" "$pc_ck_a$pc_ck_b";',
  "    default $http_cookie;",
  "}",
].join("\n");
