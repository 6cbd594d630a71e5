import type { VatLine } from "@comptoir/contracts";
import type { Tx } from "@comptoir/platform";

/** What is appended to a store's inalterable journal (docs/adr: the journal ADR). */
export type JournalKind = "sale" | "return" | "void" | "session_close" | "reprint";

export interface JournalInput {
  storeId: string;
  kind: JournalKind;
  /** The sale, return or session the entry records. */
  documentId: string;
  /** The receipt number (sales, returns, voids) or the session's id (closings). */
  documentNumber: string;
  occurredAt: Date;
  /** Signed, VAT included: a sale adds, a return or a void subtracts; 0 for a closing or a reprint. */
  amount: number;
  /** The VAT per rate of `amount`, with the same sign. */
  vat: VatLine[];
  /** The document itself, as recorded (lines, tenders, totals...): part of what is hashed and signed. */
  payload: Record<string, unknown>;
}

export interface JournalEntry extends JournalInput {
  /** 1, 2, 3... per store, with no gap. */
  seq: number;
  /** Perpetual grand total of the store: the sum of every entry's amount since the first. */
  grandTotal: number;
  /** Perpetual sum of the absolute amounts (sales + returns + voids), which only ever grows. */
  perpetualTotal: number;
  /** SHA-256 (hex) of the previous entry of the store; 64 zeros for the first. */
  previousHash: string;
  /** SHA-256 (hex) of this entry's canonical form, previousHash included. */
  hash: string;
  /** Ed25519 signature (base64url) of `hash`, by the key `keyId`. */
  signature: string;
  keyId: string;
}

/**
 * The journal's one door for writers: an entry is appended in the transaction that records its
 * document (a sale is completed, a session closed...), so both commit or neither does.
 */
export interface Journal {
  append(tx: Tx, input: JournalInput): Promise<JournalEntry>;
}
