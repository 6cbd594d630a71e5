import {
  type CancelledMail,
  orderCancelled,
  orderConfirmed,
  type OrderMail,
  orderReceived,
  orderRefunded,
  orderShipped,
  type RefundedMail,
  type ShippedMail,
  welcome,
  type WelcomeMail,
} from "./customer.templates";
import type { Language } from "./format";
import { renderMail, type RenderedMail, type Template } from "./render";
import {
  type LowStockMail,
  lowStock,
  supplyApproved,
  supplyCompleted,
  supplyFailed,
  type SupplyMail,
  supplyRejected,
} from "./staff.templates";

export type { Language } from "./format";
export type { RenderedMail } from "./render";

/** Every template by name, with the data it needs. The name is stored with each message. */
export interface TemplateData {
  welcome: WelcomeMail;
  order_received: OrderMail;
  order_confirmed: OrderMail;
  order_shipped: ShippedMail;
  order_cancelled: CancelledMail;
  order_refunded: RefundedMail;
  low_stock: LowStockMail;
  supply_approved: SupplyMail;
  supply_rejected: SupplyMail;
  supply_completed: SupplyMail;
  supply_failed: SupplyMail;
}

export type TemplateName = keyof TemplateData;

const TEMPLATES: { [N in TemplateName]: Template<TemplateData[N]> } = {
  welcome,
  order_received: orderReceived,
  order_confirmed: orderConfirmed,
  order_shipped: orderShipped,
  order_cancelled: orderCancelled,
  order_refunded: orderRefunded,
  low_stock: lowStock,
  supply_approved: supplyApproved,
  supply_rejected: supplyRejected,
  supply_completed: supplyCompleted,
  supply_failed: supplyFailed,
};

export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

/** The subject, plain text and HTML of template `name` in `language`. */
export function render<N extends TemplateName>(name: N, language: Language, data: TemplateData[N]): RenderedMail {
  const template = TEMPLATES[name] as Template<TemplateData[N]>;
  return renderMail(template[language](data), language);
}
