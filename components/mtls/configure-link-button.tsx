"use client";

import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";

/** A real button (UI contract: row buttons Configure / Delete) that opens a page. */
export function LinkButton({ href, children, describedBy }: { href: string; children: string; describedBy?: string }) {
  const router = useRouter();
  return (
    <Button variant="secondary" size="sm" onClick={() => router.push(href)} onMouseEnter={() => router.prefetch(href)} aria-describedby={describedBy}>
      {children}
    </Button>
  );
}
