"use client";

import { useState, type ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import type { PkiIssue } from "@/lib/pki/types";
import { CopyButton } from "./copy-button";
import { basicConstraintsText, displayName, formatDate, roleOf, SEVERITY_TEXT, VERDICT_TEXT, VERDICT_TONE, type CardSummary } from "./format";

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-x-3 py-1 sm:grid-cols-[11rem_1fr]">
      <dt className="text-xs font-medium text-slate-500 dark:text-slate-400">{term}</dt>
      <dd className="min-w-0 text-sm break-words">{children}</dd>
    </div>
  );
}

const mono = "font-mono text-xs break-all";

/**
 * Cards off screen are not styled, laid out or painted until scrolled near (content-visibility: auto; they stay in the
 * accessibility tree and find-in-page): a 144-certificate bundle otherwise laid out ~4,000 objects, most of them below
 * the fold. The intrinsic sizes are a first guess; "auto" keeps a card's real size once it has been rendered.
 */
const EXPANDED_CARD_STYLE = { contentVisibility: "auto", containIntrinsicSize: "auto 32rem" } as const;
const COLLAPSED_CARD_STYLE = { contentVisibility: "auto", containIntrinsicSize: "auto 2.75rem" } as const;

/** All certificate text is rendered as React text nodes: a subject like `<script>` is shown, never run. */
export function CertificateDetails({ cert, position }: { cert: CardSummary; position: number }) {
  const none = <span className="text-slate-500 dark:text-slate-400">None</span>;
  return (
    <dl className="divide-y divide-slate-100 dark:divide-slate-800">
      <Row term="Subject">{cert.subject || "(empty)"}</Row>
      <Row term="Issuer">{cert.issuer || "(empty)"}</Row>
      <Row term="Serial number"><span className={mono}>{cert.serialNumber}</span></Row>
      <Row term="Valid from">{formatDate(cert.notBefore)}</Row>
      <Row term="Valid to">{formatDate(cert.notAfter)}</Row>
      <Row term="Signature algorithm">
        {cert.signatureAlgorithm.name}
        {!cert.signatureAlgorithm.allowed ? <span className="ml-2 text-red-700 dark:text-red-400">(not allowed)</span> : null}
      </Row>
      <Row term="Public key">{cert.publicKey.description}</Row>
      <Row term="Basic constraints">{basicConstraintsText(cert.basicConstraints)}</Row>
      <Row term="Key usage">{cert.keyUsage ? cert.keyUsage.join(", ") || "(empty)" : "Absent"}</Row>
      <Row term="Extended key usage">{cert.extendedKeyUsage ? cert.extendedKeyUsage.join(", ") : "Absent"}</Row>
      <Row term="Subject alternative names">{cert.subjectAltNames.length ? cert.subjectAltNames.join(", ") : none}</Row>
      <Row term="Subject key identifier"><span className={mono}>{cert.subjectKeyIdentifier ?? "Absent"}</span></Row>
      <Row term="Authority key identifier"><span className={mono}>{cert.authorityKeyIdentifier ?? "Absent"}</span></Row>
      <Row term="SHA-1 fingerprint">
        <span className={mono}>{cert.sha1Fingerprint}</span>{" "}
        <CopyButton value={cert.sha1Fingerprint} label={`Copy SHA-1 fingerprint of certificate ${position}`} />
      </Row>
      <Row term="SHA-256 fingerprint">
        <span className={mono}>{cert.sha256Fingerprint}</span>{" "}
        <CopyButton value={cert.sha256Fingerprint} label={`Copy SHA-256 fingerprint of certificate ${position}`} />
      </Row>
      <Row term="Self-signed">{cert.selfSigned ? "Yes" : "No"}</Row>
    </dl>
  );
}

/** One text node per label (template strings): a bundle's ~150 headers are most of the DOM nodes a paste creates. */
export function CardHeader({ cert, position, total, className = "flex" }: { cert: CardSummary; position: number; total: number; className?: string }) {
  return (
    <div className={`${className} flex-wrap items-center gap-2`}>
      <span className="text-xs font-semibold tracking-wide text-slate-500 dark:text-slate-400 uppercase">{`Certificate ${position}`}</span>
      <span className="text-xs text-slate-500 dark:text-slate-400">{`· ${roleOf(cert, position - 1, total)}`}</span>
      <span className="min-w-0 flex-1 truncate font-medium" title={cert.subject}>
        {displayName(cert)}
      </span>
      <Badge tone={VERDICT_TONE[cert.verdict]}>{`Verdict: ${VERDICT_TEXT[cert.verdict]}`}</Badge>
    </div>
  );
}

export function IssueLines({ issues }: { issues: PkiIssue[] }) {
  if (!issues.length) return null;
  return (
    <div className="space-y-1 text-sm">
      {issues.map((i, k) => (
        <p
          key={`${i.code}-${k}`}
          className={i.severity === "error" ? "text-red-700 dark:text-red-400" : i.severity === "warning" ? "text-amber-800 dark:text-amber-300" : "text-slate-600 dark:text-slate-400"}
        >
          <strong>{SEVERITY_TEXT[i.severity]}:</strong> {i.message}
        </p>
      ))}
    </div>
  );
}

/** One certificate as a list item (UI contract: one listitem per certificate). */
export function CertificateCard({
  cert,
  position,
  total,
  issues = [],
  collapsed = false,
}: {
  cert: CardSummary;
  position: number;
  total: number;
  issues?: PkiIssue[];
  collapsed?: boolean;
}) {
  const border = cert.verdict === "error" ? "border-red-300 dark:border-red-800" : cert.verdict === "warning" ? "border-amber-300 dark:border-amber-800" : "border-slate-200 dark:border-slate-800";
  if (collapsed) return <CollapsedCard cert={cert} position={position} total={total} issues={issues} border={border} />;
  return (
    <li className={`rounded-md border bg-white p-3 shadow-sm dark:bg-slate-900 ${border}`} style={EXPANDED_CARD_STYLE}>
      <CardHeader cert={cert} position={position} total={total} />
      <div className="mt-2 space-y-2">
        <IssueLines issues={issues} />
        <CertificateDetails cert={cert} position={position} />
      </div>
    </li>
  );
}

/** Large bundles: a one-line summary; the details render only once opened. */
function CollapsedCard({ cert, position, total, issues, border }: { cert: CardSummary; position: number; total: number; issues: PkiIssue[]; border: string }) {
  const [open, setOpen] = useState(false);
  return (
    <li className={`rounded-md border bg-white px-3 py-2 dark:bg-slate-900 ${border}`} style={COLLAPSED_CARD_STYLE}>
      <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
          <summary className="cursor-pointer">
            <CardHeader cert={cert} position={position} total={total} className="inline-flex w-[calc(100%-1.5rem)] align-middle" />
          </summary>
          {open ? (
            <div className="mt-2 space-y-2">
              <IssueLines issues={issues} />
              <CertificateDetails cert={cert} position={position} />
            </div>
          ) : null}
        </details>
      </li>
  );
}
