import { COUNTRIES, FIRST_DAY, FIRST_INVOICE, LAST_DAY, PRODUCTS } from './catalog.ts';
import { documentGenerator } from './generator.ts';

/** The ways an invoice line is made invalid, each as the data set shows it. */
export type InvoiceDefect = 'null_customer' | 'bad_date' | 'wrong_type';

const pad = (n: number) => String(n).padStart(2, '0');
const DAY_MS = 86_400_000;
// Dates that match the format but do not exist, as they slip through hand-typed exports.
const IMPOSSIBLE_DATES = ['31/02/2011', '30/02/2011', '31/04/2011', '29/02/2011', '31/06/2011', '31/09/2011', '31/11/2011'];

/**
 * Invoice lines shaped like the UCI Online Retail data set: a few lines per invoice, realistic
 * products, prices, countries and dates; the defects in the data set's own mix by default.
 */
export const invoices = documentGenerator<InvoiceDefect, Record<string, unknown>>({
  pipeline: 'invoices',
  rejections: {
    null_customer: { field: 'CustomerID', kind: 'null' },
    bad_date: { field: 'InvoiceDate', kind: 'date' },
    wrong_type: { field: 'Quantity', kind: 'type' },
  },
  // About a quarter of the data set's rows lack a CustomerID, plus a few bad dates and types.
  defaultDefects: { null_customer: 0.25, bad_date: 0.01, wrong_type: 0.01 },

  valid(random) {
    let invoiceNo = FIRST_INVOICE - 1;
    let linesLeft = 0;
    let invoice = { no: '', date: '', customer: 0, country: '', cancelled: false };
    return () => {
      if (linesLeft === 0) {
        invoiceNo += 1;
        linesLeft = random.int(1, 12);
        const day = new Date(FIRST_DAY + random.int(0, (LAST_DAY - FIRST_DAY) / DAY_MS) * DAY_MS);
        const cancelled = random.next() < 0.02;
        invoice = {
          no: `${cancelled ? 'C' : ''}${invoiceNo}`,
          date: `${pad(day.getUTCDate())}/${pad(day.getUTCMonth() + 1)}/${day.getUTCFullYear()} ${pad(random.int(7, 19))}:${pad(random.int(0, 59))}`,
          customer: random.int(12346, 18287),
          country: random.weighted(COUNTRIES),
          cancelled,
        };
      }
      linesLeft -= 1;
      const [stockCode, description, unitPrice] = random.pick(PRODUCTS);
      const quantity = random.weighted([[1, 3], [2, 2], [3, 1], [4, 1], [6, 2], [12, 2], [24, 1], [48, 0.3]] as const);
      return {
        InvoiceNo: invoice.no,
        StockCode: stockCode,
        Description: description,
        Quantity: invoice.cancelled ? -quantity : quantity,
        InvoiceDate: invoice.date,
        UnitPrice: unitPrice,
        CustomerID: invoice.customer,
        Country: invoice.country,
      };
    };
  },

  spoil(doc, defect, random) {
    if (defect === 'null_customer') doc['CustomerID'] = null;
    if (defect === 'bad_date') doc['InvoiceDate'] = `${random.pick(IMPOSSIBLE_DATES)} ${String(doc['InvoiceDate']).slice(-5)}`;
    if (defect === 'wrong_type') doc['Quantity'] = String(doc['Quantity']);
  },
});
