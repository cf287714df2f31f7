"use client";

import type { ReactNode } from "react";
import { Button } from "./button";
import { cn } from "./cn";
import { SubmitButton } from "./submit-button";

/** The buttons under a "Create …" form: its submit button (showing `pendingText` while the action runs) and Cancel. */
export function SubmitCancel({ children, pendingText, onCancel, className }: { children: ReactNode; pendingText: string; onCancel: () => void; className?: string }) {
  return (
    <div className={cn("flex gap-2", className)}>
      <SubmitButton pendingText={pendingText}>{children}</SubmitButton>
      <Button variant="secondary" onClick={onCancel}>
        Cancel
      </Button>
    </div>
  );
}
