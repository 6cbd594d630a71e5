import { countryName, formatDate, formatMoney, formatRate, type Language, shortRef } from "./format";
import { type Block, facts, hello, list, paragraph, table, type Template } from "./render";

export interface WelcomeMail {
  name: string;
}

/** An order as its mails show it (a subset of the orders events' snapshot). */
export interface OrderMail {
  orderId: string;
  placedAt: string;
  lines: readonly { name: string; sku: string; quantity: number; unitPrice: number }[];
  totals: { subtotal: number; shipping: number; total: number; currency: string };
  /** The VAT in the total per rate (basis points); absent from orders' events before orders kept it. */
  vat?: readonly { rate: number; base: number; vat: number; total: number }[] | undefined;
  shippingAddress: {
    name: string;
    line1: string;
    line2: string | null;
    city: string;
    postalCode: string;
    country: string;
  } | null;
}

export interface ShippedMail extends OrderMail {
  carrier: string | null;
  trackingNumber: string | null;
}

export interface CancelledMail extends OrderMail {
  reason: string | null;
  /** It had been paid: a refund follows (and its own mail). */
  refundFollows: boolean;
}

export interface RefundedMail extends OrderMail {
  refundedAmount: number;
  reason: string | null;
}

const nameOf = (order: OrderMail) => order.shippingAddress?.name ?? null;

/**
 * The order's VAT per rate (prices include it): rate, base excluding VAT, VAT, total including VAT.
 * Nothing when the order carries no breakdown (one placed before orders kept it).
 */
function vatTable(order: OrderMail, language: Language): Block[] {
  if (!order.vat?.length) return [];
  const money = (minor: number) => formatMoney(minor, order.totals.currency, language);
  const fr = language === "fr";
  return [
    table(
      fr ? ["Taux", "Base HT", "TVA", "Total TTC"] : ["Rate", "Base (excl. VAT)", "VAT", "Total (incl. VAT)"],
      order.vat.map((r) => [formatRate(r.rate, language), money(r.base), money(r.vat), money(r.total)]),
      fr ? "Dont TVA" : "VAT included",
    ),
  ];
}

/** The order's lines, its totals (with the VAT table when `withVat`) and where it goes. */
function orderSummary(order: OrderMail, language: Language, options: { withVat?: boolean } = {}): Block[] {
  const money = (minor: number) => formatMoney(minor, order.totals.currency, language);
  const fr = language === "fr";
  const blocks: Block[] = [
    list(
      order.lines.map((l) => `${l.quantity} × ${l.name} (${l.sku}) — ${money(l.quantity * l.unitPrice)}`),
      fr ? "Articles" : "Items",
    ),
    facts([
      [fr ? "Sous-total" : "Subtotal", money(order.totals.subtotal)],
      [
        fr ? "Livraison" : "Shipping",
        order.totals.shipping === 0 ? (fr ? "offerte" : "free") : money(order.totals.shipping),
      ],
      [fr ? "Total" : "Total", money(order.totals.total)],
    ]),
    ...(options.withVat ? vatTable(order, language) : []),
  ];
  const a = order.shippingAddress;
  if (a) {
    blocks.push(
      list(
        [a.name, a.line1, ...(a.line2 ? [a.line2] : []), `${a.postalCode} ${a.city}`, countryName(a.country, language)],
        fr ? "Adresse de livraison" : "Shipping address",
      ),
    );
  }
  blocks.push(
    facts([
      [fr ? "Commande" : "Order", shortRef(order.orderId)],
      [fr ? "Référence complète" : "Full reference", order.orderId],
      [fr ? "Passée le" : "Placed on", formatDate(order.placedAt, language)],
    ]),
  );
  return blocks;
}

export const welcome: Template<WelcomeMail> = {
  fr: (d) => ({
    subject: "Bienvenue chez Comptoir",
    greeting: hello("fr", d.name),
    blocks: [
      paragraph("Votre compte Comptoir est créé. Merci de nous avoir rejoints !"),
      paragraph(
        "Vous pouvez dès maintenant commander en ligne, suivre vos commandes et enregistrer vos adresses de livraison.",
      ),
    ],
  }),
  en: (d) => ({
    subject: "Welcome to Comptoir",
    greeting: hello("en", d.name),
    blocks: [
      paragraph("Your Comptoir account is ready. Thank you for joining us!"),
      paragraph("You can now order online, follow your orders and save your shipping addresses."),
    ],
  }),
};

export const orderReceived: Template<OrderMail> = {
  fr: (o) => ({
    subject: `Commande ${shortRef(o.orderId)} reçue, en attente de paiement`,
    greeting: hello("fr", nameOf(o)),
    blocks: [
      paragraph(
        "Nous avons bien reçu votre commande. Elle sera confirmée dès que son paiement aura abouti ; " +
          "les articles vous sont réservés en attendant.",
      ),
      ...orderSummary(o, "fr"),
    ],
  }),
  en: (o) => ({
    subject: `Order ${shortRef(o.orderId)} received, awaiting payment`,
    greeting: hello("en", nameOf(o)),
    blocks: [
      paragraph(
        "We have received your order. It will be confirmed as soon as its payment goes through; " +
          "the items are reserved for you meanwhile.",
      ),
      ...orderSummary(o, "en"),
    ],
  }),
};

export const orderConfirmed: Template<OrderMail> = {
  fr: (o) => ({
    subject: `Votre commande ${shortRef(o.orderId)} est confirmée`,
    greeting: hello("fr", nameOf(o)),
    blocks: [
      paragraph(
        `Merci pour votre commande ! Votre paiement de ${formatMoney(o.totals.total, o.totals.currency, "fr")} ` +
          "est accepté et nous préparons vos articles. Vous recevrez un message dès leur expédition.",
      ),
      ...orderSummary(o, "fr", { withVat: true }),
    ],
  }),
  en: (o) => ({
    subject: `Your order ${shortRef(o.orderId)} is confirmed`,
    greeting: hello("en", nameOf(o)),
    blocks: [
      paragraph(
        `Thank you for your order! Your payment of ${formatMoney(o.totals.total, o.totals.currency, "en")} ` +
          "went through and we are preparing your items. We will write again as soon as they ship.",
      ),
      ...orderSummary(o, "en", { withVat: true }),
    ],
  }),
};

export const orderShipped: Template<ShippedMail> = {
  fr: (o) => {
    const tracking: [string, string][] = [];
    if (o.carrier) tracking.push(["Transporteur", o.carrier]);
    if (o.trackingNumber) tracking.push(["Numéro de suivi", o.trackingNumber]);
    return {
      subject: `Votre commande ${shortRef(o.orderId)} a été expédiée`,
      greeting: hello("fr", nameOf(o)),
      blocks: [
        paragraph("Bonne nouvelle : votre commande a quitté notre entrepôt et est en route."),
        ...(tracking.length ? [facts(tracking)] : []),
        ...orderSummary(o, "fr"),
      ],
    };
  },
  en: (o) => {
    const tracking: [string, string][] = [];
    if (o.carrier) tracking.push(["Carrier", o.carrier]);
    if (o.trackingNumber) tracking.push(["Tracking number", o.trackingNumber]);
    return {
      subject: `Your order ${shortRef(o.orderId)} has shipped`,
      greeting: hello("en", nameOf(o)),
      blocks: [
        paragraph("Good news: your order has left our warehouse and is on its way."),
        ...(tracking.length ? [facts(tracking)] : []),
        ...orderSummary(o, "en"),
      ],
    };
  },
};

export const orderCancelled: Template<CancelledMail> = {
  fr: (o) => ({
    subject: `Votre commande ${shortRef(o.orderId)} a été annulée`,
    greeting: hello("fr", nameOf(o)),
    blocks: [
      paragraph("Votre commande a été annulée."),
      ...(o.reason ? [facts([["Motif", o.reason]])] : []),
      paragraph(
        o.refundFollows
          ? "Elle avait été payée : vous allez être remboursé(e), et un message vous le confirmera."
          : "Elle n'avait pas été payée : aucun montant ne vous a été prélevé.",
      ),
      ...orderSummary(o, "fr"),
    ],
  }),
  en: (o) => ({
    subject: `Your order ${shortRef(o.orderId)} has been cancelled`,
    greeting: hello("en", nameOf(o)),
    blocks: [
      paragraph("Your order has been cancelled."),
      ...(o.reason ? [facts([["Reason", o.reason]])] : []),
      paragraph(
        o.refundFollows
          ? "It had been paid: you will be refunded, and we will confirm it in another message."
          : "It had not been paid: you have not been charged.",
      ),
      ...orderSummary(o, "en"),
    ],
  }),
};

export const orderRefunded: Template<RefundedMail> = {
  fr: (o) => {
    const amount = formatMoney(o.refundedAmount, o.totals.currency, "fr");
    return {
      subject: `Remboursement de ${amount} pour votre commande ${shortRef(o.orderId)}`,
      greeting: hello("fr", nameOf(o)),
      blocks: [
        paragraph(
          `Nous vous avons remboursé ${amount} sur le moyen de paiement utilisé pour la commande. ` +
            "Selon votre banque, le montant apparaît sur votre compte sous quelques jours.",
        ),
        facts([["Montant remboursé", amount], ...(o.reason ? [["Motif", o.reason] as const] : [])]),
        ...orderSummary(o, "fr"),
      ],
    };
  },
  en: (o) => {
    const amount = formatMoney(o.refundedAmount, o.totals.currency, "en");
    return {
      subject: `Refund of ${amount} for your order ${shortRef(o.orderId)}`,
      greeting: hello("en", nameOf(o)),
      blocks: [
        paragraph(
          `We have refunded ${amount} to the payment method used for the order. ` +
            "Depending on your bank, it shows on your account within a few days.",
        ),
        facts([["Amount refunded", amount], ...(o.reason ? [["Reason", o.reason] as const] : [])]),
        ...orderSummary(o, "en"),
      ],
    };
  },
};
