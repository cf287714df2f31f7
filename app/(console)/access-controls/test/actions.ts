"use server";

import { runAction, type ActionState } from "@/lib/actions/action-state";
import { testClientCertificate, type TestMtlsResult } from "@/lib/domain/test-mtls";

/**
 * Runs the tester. Read-only (viewers may test); the certificate is neither stored, logged nor echoed
 * back, and test runs are not audited (nothing changes).
 */
export async function testMtlsAction(_prev: ActionState<TestMtlsResult> | null, form: FormData): Promise<ActionState<TestMtlsResult>> {
  const text = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" && v.trim() ? v : undefined;
  };
  const application_id = text("application_id");
  return runAction({ write: false }, () =>
    testClientCertificate({
      application_id,
      hostname: application_id ? undefined : text("hostname"),
      certificate: text("certificate") ?? "",
      at: text("at"),
    }),
  );
}
