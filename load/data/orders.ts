import { PRODUCTS } from './catalog.ts';
import { documentGenerator } from './generator.ts';

/** The ways an order is made invalid: the mistakes of a shop front end and its exports. */
export type OrderDefect = 'zero_quantity' | 'missing_email' | 'bad_date' | 'unknown_field';

type Line = { sku: string; quantity: number; unitPrice: number } & Record<string, unknown>;
type Order = {
  orderId: string;
  placedAt: string;
  currency?: string;
  customer: { id: number; email?: string };
  lines: [Line, ...Line[]];
};

const pad = (n: number) => String(n).padStart(2, '0');
const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2026, 0, 1);
// Six digits from the first order on, as the schema's ORD-123456 wants.
const FIRST_ORDER = 100_000;
// undefined: the order names no currency, and the pipeline's transform stores its default.
const CURRENCIES = [['EUR', 5], ['GBP', 3], ['USD', 1], [undefined, 1]] as const;
const QUANTITIES = [[1, 6], [2, 3], [3, 1], [5, 0.5], [10, 0.2]] as const;
const NAMES = ['ada', 'grace', 'alan', 'edsger', 'barbara', 'donald', 'margaret', 'dennis', 'frances', 'ken'];
// Dates that match YYYY-mm-dd but do not exist in 2026.
const IMPOSSIBLE_DATES = ['2026-02-29', '2026-02-30', '2026-02-31', '2026-04-31', '2026-06-31', '2026-09-31', '2026-11-31'];

/**
 * Web-shop orders for pipelines/orders.yaml: a customer and one to six lines of the invoice
 * catalogue's products. Every defect goes into the first line, which every order has, so that each
 * defect names one field.
 */
export const orders = documentGenerator<OrderDefect, Order>({
  pipeline: 'orders',
  rejections: {
    zero_quantity: { field: 'lines[0].quantity', kind: 'range' },
    missing_email: { field: 'customer.email', kind: 'missing' },
    bad_date: { field: 'placedAt', kind: 'date' },
    unknown_field: { field: 'lines[0].giftWrap', kind: 'unknown_field' },
  },
  defaultDefects: { zero_quantity: 0.02, missing_email: 0.03, bad_date: 0.01, unknown_field: 0.02 },

  valid(random) {
    let orderNo = FIRST_ORDER - 1;
    const line = (): Line => {
      const [sku, , unitPrice] = random.pick(PRODUCTS);
      return { sku, quantity: random.weighted(QUANTITIES), unitPrice };
    };
    return () => {
      orderNo += 1;
      const day = new Date(FIRST_DAY + random.int(0, 364) * DAY_MS);
      const time = `${pad(random.int(0, 23))}:${pad(random.int(0, 59))}:${pad(random.int(0, 59))}`;
      const currency = random.weighted(CURRENCIES);
      const customer = random.int(1, 50_000);
      return {
        orderId: `ORD-${orderNo}`,
        placedAt: `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())} ${time}`,
        ...(currency === undefined ? {} : { currency }),
        customer: { id: customer, email: `${random.pick(NAMES)}.${customer}@example.org` },
        lines: [line(), ...Array.from({ length: random.int(0, 5) }, line)],
      };
    };
  },

  spoil(order, defect, random) {
    if (defect === 'zero_quantity') order.lines[0].quantity = 0;
    if (defect === 'missing_email') delete order.customer.email;
    if (defect === 'bad_date') order.placedAt = `${random.pick(IMPOSSIBLE_DATES)} ${order.placedAt.slice(-8)}`;
    if (defect === 'unknown_field') order.lines[0]['giftWrap'] = true;
  },
});
