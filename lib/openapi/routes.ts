/** Every route served under /client/v4: the single source for the OpenAPI document and the API page. */
export interface ApiOperation {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  operationId: string;
  summary: string;
  tag: "Mutual TLS" | "Policies" | "Applications" | "Service tokens" | "Client certificates" | "API tokens" | "Blocked certificates";
  /** Needs an Edit token of an admin. */
  write: boolean;
  /** Success status. */
  status: 200 | 201 | 202;
  /** Response `result` schema name; `list` wraps it in an array with result_info. */
  result: string;
  list?: boolean;
  paged?: boolean;
  body?: string;
  idParam?: string;
  /** filters a list takes besides page / per_page */
  query?: { name: string; description: string }[];
}

const account = "/accounts/{account_id}/access";
const zone = "/zones/{zone_id}";
const certStatus = { name: "status", description: "all (default), active, pending_reactivation, pending_revocation or revoked" };

export const API_OPERATIONS: ApiOperation[] = [
  { method: "get", path: `${account}/certificates`, operationId: "access-mtls-authentication-list-mtls-certificates", summary: "List mTLS certificates", tag: "Mutual TLS", write: false, status: 200, result: "Certificate", list: true, paged: true },
  { method: "post", path: `${account}/certificates`, operationId: "access-mtls-authentication-add-an-mtls-certificate", summary: "Add an mTLS certificate", tag: "Mutual TLS", write: true, status: 201, result: "Certificate", body: "CertificateCreate" },
  { method: "get", path: `${account}/certificates/{certificate_id}`, operationId: "access-mtls-authentication-get-an-mtls-certificate", summary: "Get an mTLS certificate", tag: "Mutual TLS", write: false, status: 200, result: "Certificate", idParam: "certificate_id" },
  { method: "put", path: `${account}/certificates/{certificate_id}`, operationId: "access-mtls-authentication-update-an-mtls-certificate", summary: "Update an mTLS certificate (name and associated hostnames)", tag: "Mutual TLS", write: true, status: 200, result: "Certificate", body: "CertificateUpdate", idParam: "certificate_id" },
  { method: "delete", path: `${account}/certificates/{certificate_id}`, operationId: "access-mtls-authentication-delete-an-mtls-certificate", summary: "Delete an mTLS certificate (its hostname associations go with it)", tag: "Mutual TLS", write: true, status: 200, result: "Deleted", idParam: "certificate_id" },
  { method: "get", path: `${account}/certificates/settings`, operationId: "access-mtls-authentication-list-mtls-certificates-hostname-settings", summary: "List hostname settings", tag: "Mutual TLS", write: false, status: 200, result: "HostnameSetting", list: true },
  { method: "put", path: `${account}/certificates/settings`, operationId: "access-mtls-authentication-update-an-mtls-certificate-settings", summary: "Update hostname settings (merge by hostname)", tag: "Mutual TLS", write: true, status: 202, result: "HostnameSetting", list: true, body: "HostnameSettingsUpdate" },
  { method: "get", path: `${account}/policies`, operationId: "access-policies-list-access-reusable-policies", summary: "List reusable policies", tag: "Policies", write: false, status: 200, result: "Policy", list: true, paged: true },
  { method: "post", path: `${account}/policies`, operationId: "access-policies-create-an-access-reusable-policy", summary: "Create a reusable policy", tag: "Policies", write: true, status: 201, result: "Policy", body: "PolicyInput" },
  { method: "get", path: `${account}/policies/{policy_id}`, operationId: "access-policies-get-an-access-reusable-policy", summary: "Get a reusable policy", tag: "Policies", write: false, status: 200, result: "Policy", idParam: "policy_id" },
  { method: "put", path: `${account}/policies/{policy_id}`, operationId: "access-policies-update-an-access-reusable-policy", summary: "Replace a reusable policy", tag: "Policies", write: true, status: 200, result: "Policy", body: "PolicyInput", idParam: "policy_id" },
  { method: "delete", path: `${account}/policies/{policy_id}`, operationId: "access-policies-delete-an-access-reusable-policy", summary: "Delete a reusable policy (refused while applications use it)", tag: "Policies", write: true, status: 202, result: "Deleted", idParam: "policy_id" },
  { method: "get", path: `${account}/apps`, operationId: "access-applications-list-access-applications", summary: "List applications", tag: "Applications", write: false, status: 200, result: "Application", list: true, paged: true },
  { method: "post", path: `${account}/apps`, operationId: "access-applications-add-an-application", summary: "Add a self-hosted application", tag: "Applications", write: true, status: 201, result: "Application", body: "ApplicationInput" },
  { method: "get", path: `${account}/apps/{app_id}`, operationId: "access-applications-get-an-access-application", summary: "Get an application (by id or aud)", tag: "Applications", write: false, status: 200, result: "Application", idParam: "app_id" },
  { method: "put", path: `${account}/apps/{app_id}`, operationId: "access-applications-update-an-access-application", summary: "Update an application", tag: "Applications", write: true, status: 200, result: "Application", body: "ApplicationInput", idParam: "app_id" },
  { method: "delete", path: `${account}/apps/{app_id}`, operationId: "access-applications-delete-an-access-application", summary: "Delete an application", tag: "Applications", write: true, status: 202, result: "Deleted", idParam: "app_id" },
  { method: "get", path: `${account}/service_tokens`, operationId: "access-service-tokens-list-service-tokens", summary: "List service tokens", tag: "Service tokens", write: false, status: 200, result: "ServiceToken", list: true, paged: true, query: [{ name: "name", description: "Only the token with exactly this name" }, { name: "search", description: "Tokens whose name or Client ID contains this text" }] },
  { method: "post", path: `${account}/service_tokens`, operationId: "access-service-tokens-create-a-service-token", summary: "Create a service token (the Client Secret is in this response only)", tag: "Service tokens", write: true, status: 201, result: "ServiceTokenWithSecret", body: "ServiceTokenCreate" },
  { method: "get", path: `${account}/service_tokens/{service_token_id}`, operationId: "access-service-tokens-get-a-service-token", summary: "Get a service token", tag: "Service tokens", write: false, status: 200, result: "ServiceToken", idParam: "service_token_id" },
  { method: "put", path: `${account}/service_tokens/{service_token_id}`, operationId: "access-service-tokens-update-a-service-token", summary: "Update a service token (name, duration from now, enabled, the previous secret's expiry)", tag: "Service tokens", write: true, status: 200, result: "ServiceToken", body: "ServiceTokenUpdate", idParam: "service_token_id" },
  { method: "delete", path: `${account}/service_tokens/{service_token_id}`, operationId: "access-service-tokens-delete-a-service-token", summary: "Delete a service token (requests presenting it get 401 within a second)", tag: "Service tokens", write: true, status: 200, result: "ServiceToken", idParam: "service_token_id" },
  { method: "post", path: `${account}/service_tokens/{service_token_id}/refresh`, operationId: "access-service-tokens-refresh-a-service-token", summary: "Refresh a service token: valid for its duration again, from now", tag: "Service tokens", write: true, status: 200, result: "ServiceToken", idParam: "service_token_id" },
  { method: "get", path: `${account}/blocked_certificates`, operationId: "access-blocked-certificates-list", summary: "List blocked client certificates", tag: "Blocked certificates", write: false, status: 200, result: "BlockedCertificate", list: true, paged: true },
  { method: "post", path: `${account}/blocked_certificates`, operationId: "access-blocked-certificates-block", summary: "Block a client certificate (refused at the gateway within a second, on every application)", tag: "Blocked certificates", write: true, status: 201, result: "BlockedCertificate", body: "BlockedCertificateCreate" },
  { method: "get", path: `${account}/blocked_certificates/{blocked_certificate_id}`, operationId: "access-blocked-certificates-get", summary: "Get a blocked client certificate", tag: "Blocked certificates", write: false, status: 200, result: "BlockedCertificate", idParam: "blocked_certificate_id" },
  { method: "delete", path: `${account}/blocked_certificates/{blocked_certificate_id}`, operationId: "access-blocked-certificates-unblock", summary: "Unblock a client certificate (let in again within a second, as its policies decide)", tag: "Blocked certificates", write: true, status: 200, result: "BlockedCertificate", idParam: "blocked_certificate_id" },
  { method: "post", path: `${account}/service_tokens/{service_token_id}/rotate`, operationId: "access-service-tokens-rotate-a-service-token", summary: "Rotate the Client Secret (the new one is in this response only; the old one stops at once or at previous_client_secret_expires_at)", tag: "Service tokens", write: true, status: 200, result: "ServiceTokenWithSecret", body: "ServiceTokenRotate", idParam: "service_token_id" },
  { method: "get", path: `${zone}/client_certificates`, operationId: "client-certificate-for-a-zone-list-client-certificates", summary: "List client certificates issued by the managed CA", tag: "Client certificates", write: false, status: 200, result: "ClientCertificate", list: true, paged: true, query: [certStatus] },
  { method: "post", path: `${zone}/client_certificates`, operationId: "client-certificate-for-a-zone-create-client-certificate", summary: "Issue a client certificate from a CSR (signed by the managed CA)", tag: "Client certificates", write: true, status: 200, result: "ClientCertificate", body: "ClientCertificateCreate" },
  { method: "get", path: `${zone}/client_certificates/{client_certificate_id}`, operationId: "client-certificate-for-a-zone-client-certificate-details", summary: "Get a client certificate", tag: "Client certificates", write: false, status: 200, result: "ClientCertificate", idParam: "client_certificate_id" },
  { method: "patch", path: `${zone}/client_certificates/{client_certificate_id}`, operationId: "client-certificate-for-a-zone-edit-client-certificate", summary: "Reactivate a revoked client certificate (it is accepted again within a second)", tag: "Client certificates", write: true, status: 200, result: "ClientCertificate", body: "ClientCertificateEdit", idParam: "client_certificate_id" },
  { method: "delete", path: `${zone}/client_certificates/{client_certificate_id}`, operationId: "client-certificate-for-a-zone-delete-client-certificate", summary: "Revoke a client certificate (the CRL is re-issued and the gateway refuses it within a second)", tag: "Client certificates", write: true, status: 200, result: "ClientCertificate", idParam: "client_certificate_id" },
  { method: "get", path: `${zone}/certificate_authorities/hostname_associations`, operationId: "client-certificate-for-a-zone-list-hostname-associations", summary: "List the hostnames a CA is associated with (the managed CA unless mtls_certificate_id is given)", tag: "Client certificates", write: false, status: 200, result: "HostnameAssociations", query: [{ name: "mtls_certificate_id", description: "An uploaded mTLS certificate's id; omitted: the managed CA" }] },
  { method: "put", path: `${zone}/certificate_authorities/hostname_associations`, operationId: "client-certificate-for-a-zone-put-hostname-associations", summary: "Replace the hostnames a CA is associated with (the managed CA unless mtls_certificate_id is given)", tag: "Client certificates", write: true, status: 200, result: "HostnameAssociations", body: "HostnameAssociationsUpdate" },
  { method: "get", path: "/user/tokens/verify", operationId: "user-api-tokens-verify-token", summary: "Verify the API token", tag: "API tokens", write: false, status: 200, result: "TokenVerification" },
];
