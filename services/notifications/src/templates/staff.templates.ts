import { formatCount, type Language, shortRef } from "./format";
import { facts, hello, list, paragraph, type Template } from "./render";

export interface LowStockMail {
  /** The recipient's name. */
  name: string;
  productName: string;
  sku: string;
  available: number;
  threshold: number;
  locationKind: "warehouse" | "store" | "online";
  storeId: string | null;
  /** The recipient manages that store ("your store"); false for an admin told about it. */
  ownStore: boolean;
}

/** A requested variant; its names are null when catalog never announced it. */
export interface SupplyLineMail {
  variantId: string;
  quantity: number;
  productName: string | null;
  options: string;
  sku: string | null;
}

export interface SupplyMail {
  /** The requester's name. */
  name: string;
  requestId: string;
  lines: readonly SupplyLineMail[];
  note: string | null;
  /** Who decided (approved or rejected); null when unknown. */
  decidedByName: string | null;
  /** Why it was rejected or why it failed. */
  reason: string | null;
}

function where(d: LowStockMail, language: Language): string {
  const fr = language === "fr";
  switch (d.locationKind) {
    case "warehouse":
      return fr ? "à l'entrepôt central" : "at the central warehouse";
    case "online":
      return fr ? "sur l'emplacement de la boutique en ligne" : "at the online shop's location";
    case "store":
      if (d.ownStore) return fr ? "dans votre magasin" : "in your store";
      return fr ? `dans le magasin ${d.storeId ?? "?"}` : `in store ${d.storeId ?? "?"}`;
  }
}

export const lowStock: Template<LowStockMail> = {
  fr: (d) => ({
    subject: `Stock bas : ${d.productName} (${d.sku})`,
    greeting: hello("fr", d.name),
    blocks: [
      paragraph(
        `Le stock disponible de ${d.productName} (${d.sku}) ${where(d, "fr")} est de ${formatCount(d.available, "fr")}, ` +
          `pour un seuil d'alerte de ${formatCount(d.threshold, "fr")}.`,
      ),
      facts([
        ["Produit", d.productName],
        ["SKU", d.sku],
        ["Disponible", formatCount(d.available, "fr")],
        ["Seuil d'alerte", formatCount(d.threshold, "fr")],
      ]),
      paragraph(
        d.locationKind === "store"
          ? "Pensez à demander un réapprovisionnement à l'entrepôt central."
          : "Pensez à réapprovisionner cet emplacement.",
      ),
    ],
  }),
  en: (d) => ({
    subject: `Low stock: ${d.productName} (${d.sku})`,
    greeting: hello("en", d.name),
    blocks: [
      paragraph(
        `Available stock of ${d.productName} (${d.sku}) ${where(d, "en")} is down to ${formatCount(d.available, "en")}, ` +
          `for a low-stock threshold of ${formatCount(d.threshold, "en")}.`,
      ),
      facts([
        ["Product", d.productName],
        ["SKU", d.sku],
        ["Available", formatCount(d.available, "en")],
        ["Threshold", formatCount(d.threshold, "en")],
      ]),
      paragraph(
        d.locationKind === "store"
          ? "Consider asking the central warehouse for a replenishment."
          : "Consider restocking this location.",
      ),
    ],
  }),
};

function lineLabel(line: SupplyLineMail, language: Language): string {
  const what = line.productName
    ? `${line.productName}${line.options ? ` — ${line.options}` : ""}${line.sku ? ` (${line.sku})` : ""}`
    : `${language === "fr" ? "article" : "item"} ${line.variantId}`;
  return `${formatCount(line.quantity, language)} × ${what}`;
}

function requestDetails(d: SupplyMail, language: Language) {
  const fr = language === "fr";
  return [
    list(
      d.lines.map((l) => lineLabel(l, language)),
      fr ? "Articles demandés" : "Requested items",
    ),
    facts([
      [fr ? "Demande" : "Request", d.requestId],
      ...(d.note ? [[fr ? "Votre note" : "Your note", d.note] as const] : []),
    ]),
  ];
}

const by = (name: string | null, language: Language) =>
  name ? (language === "fr" ? ` par ${name}` : ` by ${name}`) : "";

export const supplyApproved: Template<SupplyMail> = {
  fr: (d) => ({
    subject: `Demande de réapprovisionnement ${shortRef(d.requestId)} approuvée`,
    greeting: hello("fr", d.name),
    blocks: [
      paragraph(
        `Votre demande de réapprovisionnement a été approuvée${by(d.decidedByName, "fr")}. Le transfert depuis ` +
          "l'entrepôt central est en cours ; un message vous dira quand la marchandise sera dans le stock du magasin.",
      ),
      ...requestDetails(d, "fr"),
    ],
  }),
  en: (d) => ({
    subject: `Replenishment request ${shortRef(d.requestId)} approved`,
    greeting: hello("en", d.name),
    blocks: [
      paragraph(
        `Your replenishment request was approved${by(d.decidedByName, "en")}. The transfer from the central ` +
          "warehouse is under way; we will tell you when the goods are in the store's stock.",
      ),
      ...requestDetails(d, "en"),
    ],
  }),
};

export const supplyRejected: Template<SupplyMail> = {
  fr: (d) => ({
    subject: `Demande de réapprovisionnement ${shortRef(d.requestId)} refusée`,
    greeting: hello("fr", d.name),
    blocks: [
      paragraph(`Votre demande de réapprovisionnement a été refusée${by(d.decidedByName, "fr")}.`),
      facts([["Motif", d.reason ?? "—"]]),
      ...requestDetails(d, "fr"),
    ],
  }),
  en: (d) => ({
    subject: `Replenishment request ${shortRef(d.requestId)} rejected`,
    greeting: hello("en", d.name),
    blocks: [
      paragraph(`Your replenishment request was rejected${by(d.decidedByName, "en")}.`),
      facts([["Reason", d.reason ?? "—"]]),
      ...requestDetails(d, "en"),
    ],
  }),
};

export const supplyCompleted: Template<SupplyMail> = {
  fr: (d) => ({
    subject: `Réapprovisionnement ${shortRef(d.requestId)} effectué`,
    greeting: hello("fr", d.name),
    blocks: [
      paragraph(
        `Votre demande de réapprovisionnement, approuvée${by(d.decidedByName, "fr")}, est terminée : ` +
          "la marchandise a été transférée de l'entrepôt central au stock du magasin.",
      ),
      ...requestDetails(d, "fr"),
    ],
  }),
  en: (d) => ({
    subject: `Replenishment ${shortRef(d.requestId)} completed`,
    greeting: hello("en", d.name),
    blocks: [
      paragraph(
        `Your replenishment request, approved${by(d.decidedByName, "en")}, is done: ` +
          "the goods were transferred from the central warehouse to the store's stock.",
      ),
      ...requestDetails(d, "en"),
    ],
  }),
};

export const supplyFailed: Template<SupplyMail> = {
  fr: (d) => ({
    subject: `Échec du réapprovisionnement ${shortRef(d.requestId)}`,
    greeting: hello("fr", d.name),
    blocks: [
      paragraph(
        `Votre demande de réapprovisionnement avait été approuvée${by(d.decidedByName, "fr")}, mais son transfert ` +
          "depuis l'entrepôt central a échoué. Le stock est resté tel qu'il était ; vous pouvez faire une nouvelle demande.",
      ),
      facts([["Motif", d.reason ?? "—"]]),
      ...requestDetails(d, "fr"),
    ],
  }),
  en: (d) => ({
    subject: `Replenishment ${shortRef(d.requestId)} failed`,
    greeting: hello("en", d.name),
    blocks: [
      paragraph(
        `Your replenishment request had been approved${by(d.decidedByName, "en")}, but its transfer from the ` +
          "central warehouse failed. The stock is as it was; you may make a new request.",
      ),
      facts([["Reason", d.reason ?? "—"]]),
      ...requestDetails(d, "en"),
    ],
  }),
};
