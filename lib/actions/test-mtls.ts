"use server";

import { z } from "zod";
import { runAction, type ActionState } from "@/lib/actions/action-state";
import { testClientCertificate, type TestMtlsResult } from "@/lib/domain/test-mtls";
import { zodFieldErrors } from "@/lib/domain/core/result";

/** The form's shape; what each value means (a URL's path, an IP range…) is the tester's to judge. */
const formSchema = z.object({
  application_id: z.string().trim().max(64, "Application must be an application ID").optional(),
  url: z.string().trim().max(2048, "The URL must be at most 2,048 characters").optional(),
  hostname: z.string().trim().max(253, "The hostname must be at most 253 characters").optional(),
  certificate: z.string().default(""),
  at: z.string().trim().max(64, "Validation time must be an ISO 8601 date and time").optional(),
  ip: z.string().trim().max(64, "Client IP must be an IPv4 or IPv6 address").optional(),
  service_token_id: z.string().trim().max(100, "Service token must be a service token's ID or Client ID").optional(),
  email: z.string().trim().max(320, "Email must be at most 320 characters").optional(),
});

/**
 * Runs the tester. Read-only (viewers may test); the certificate is neither stored, logged nor echoed
 * back, and test runs are not audited (nothing changes). A URL carries the hostname and the path that
 * selects the application, so the hostname is sent only when neither a URL nor an application is given.
 */
export async function testMtlsAction(_prev: ActionState<TestMtlsResult> | null, form: FormData): Promise<ActionState<TestMtlsResult>> {
  const raw: Record<string, string> = {};
  for (const k of ["application_id", "url", "hostname", "certificate", "at", "ip", "service_token_id", "email"]) {
    const v = form.get(k);
    if (typeof v === "string" && v.trim()) raw[k] = v;
  }
  const parsed = formSchema.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    return { ok: false, message: Object.values(fieldErrors)[0]?.[0] ?? "Check the highlighted fields.", fieldErrors };
  }
  const { application_id, url, hostname, certificate, at, ip, service_token_id, email } = parsed.data;
  return runAction({ write: false }, () =>
    testClientCertificate({
      application_id,
      url,
      hostname: application_id || url ? undefined : hostname,
      certificate,
      at,
      ip,
      service_token_id,
      email,
    }),
  );
}
