/** Every route served under /client/v4: the single source for the OpenAPI document and the API page. */
export interface ApiOperation {
  method: "get" | "post" | "put" | "delete";
  path: string;
  operationId: string;
  summary: string;
  tag: "Mutual TLS" | "Policies" | "Applications" | "API tokens";
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
}

const account = "/accounts/{account_id}/access";

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
  { method: "get", path: "/user/tokens/verify", operationId: "user-api-tokens-verify-token", summary: "Verify the API token", tag: "API tokens", write: false, status: 200, result: "TokenVerification" },
];
