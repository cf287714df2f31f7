"use client";

import type { ChainMemberSummary } from "@/lib/domain/certificates/queries";
import { ChainDiagram } from "./inspector/chain-diagram";
import { CertificateList } from "./inspector/chain-inspector";

/** Read-only view of a saved chain from its stored summaries (no x509 code on this page). */
export function StoredChain({ chain }: { chain: ChainMemberSummary[] }) {
  return (
    <section aria-labelledby="stored-chain-heading" className="space-y-3">
      <h2 id="stored-chain-heading" className="text-lg font-semibold">
        Certificate chain
      </h2>
      <ChainDiagram certificates={chain} links={null} />
      <CertificateList certificates={chain} />
    </section>
  );
}
