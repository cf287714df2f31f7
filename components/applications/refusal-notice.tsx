"use client";

import Link from "next/link";
import { Button } from "../ui/button";
import { Notice } from "../ui/notice";

export const MTLS_HREF = "/access-controls/service-credentials/mutual-tls";

/** An action's refusal in role=alert: the certificate-hostname refusal links to Mutual TLS, a stale save offers Reload. */
export function RefusalNotice({ message, kind }: { message?: string; kind?: string }) {
  const mtls = message?.startsWith("Policies with certificate rules can't match on");
  return (
    <Notice tone="error">
      {message}
      {mtls ? (
        <>
          {" "}
          <Link href={MTLS_HREF} className="font-medium underline">
            Go to Mutual TLS
          </Link>
        </>
      ) : null}
      {kind === "stale" ? (
        <Button variant="secondary" size="sm" className="ml-3" onClick={() => window.location.reload()}>
          Reload
        </Button>
      ) : null}
    </Notice>
  );
}
