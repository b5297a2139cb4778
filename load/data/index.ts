import { COUNTRIES, FIRST_DAY, FIRST_INVOICE, LAST_DAY, PRODUCTS } from './catalog.ts';
import { Random } from './random.ts';

/** The ways a generated document is made invalid, each as the data set shows it. */
export type Defect = 'null_customer' | 'bad_date' | 'wrong_type';

/** Share of documents with each defect; the rest are valid. */
export type DefectShares = Readonly<Record<Defect, number>>;

/** The data set's mix: about a quarter of rows lack a CustomerID, plus a few bad dates and types. */
export const DATASET_DEFECTS: DefectShares = { null_customer: 0.25, bad_date: 0.01, wrong_type: 0.01 };

export const NO_DEFECTS: DefectShares = { null_customer: 0, bad_date: 0, wrong_type: 0 };

/** The field and reason kind ingest reports for each defect, so tests can check every rejection. */
export const EXPECTED_REJECTION: Readonly<Record<Defect, { readonly field: string; readonly kind: string }>> = {
  null_customer: { field: 'CustomerID', kind: 'null' },
  bad_date: { field: 'InvoiceDate', kind: 'date' },
  wrong_type: { field: 'Quantity', kind: 'type' },
};

export interface GeneratedDocument {
  readonly doc: Record<string, unknown>;
  /** null for a valid document. */
  readonly defect: Defect | null;
}

export interface GeneratorOptions {
  /** Same seed, same documents, in Node and in k6. @default 1 */
  readonly seed?: number;
  /** @default DATASET_DEFECTS */
  readonly defects?: DefectShares;
}

const pad = (n: number) => String(n).padStart(2, '0');
const DAY_MS = 86_400_000;
// Dates that match the format but do not exist, as they slip through hand-typed exports.
const IMPOSSIBLE_DATES = ['31/02/2011', '30/02/2011', '31/04/2011', '29/02/2011', '31/06/2011', '31/09/2011', '31/11/2011'];

/**
 * Returns a function that yields invoice lines shaped like the UCI Online Retail data set: a few
 * lines per invoice, realistic products, prices, countries and dates, with a controlled share of
 * invalid ones.
 */
export function createGenerator(options: GeneratorOptions = {}): () => GeneratedDocument {
  const random = new Random(options.seed ?? 1);
  const shares = options.defects ?? DATASET_DEFECTS;
  const validShare = 1 - shares.null_customer - shares.bad_date - shares.wrong_type;
  if (validShare < 0) throw new Error('defect shares add up to more than 1');
  const outcomes: ReadonlyArray<readonly [Defect | null, number]> = [
    [null, validShare],
    ['null_customer', shares.null_customer],
    ['bad_date', shares.bad_date],
    ['wrong_type', shares.wrong_type],
  ];

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
    const doc: Record<string, unknown> = {
      InvoiceNo: invoice.no,
      StockCode: stockCode,
      Description: description,
      Quantity: invoice.cancelled ? -quantity : quantity,
      InvoiceDate: invoice.date,
      UnitPrice: unitPrice,
      CustomerID: invoice.customer,
      Country: invoice.country,
    };
    const defect = random.weighted(outcomes);
    if (defect === 'null_customer') doc['CustomerID'] = null;
    if (defect === 'bad_date') doc['InvoiceDate'] = `${random.pick(IMPOSSIBLE_DATES)} ${String(invoice.date).slice(-5)}`;
    if (defect === 'wrong_type') doc['Quantity'] = String(doc['Quantity']);
    return { doc, defect };
  };
}

/** The first `count` documents of a generator, for scenarios that need them all up front. */
export function generateDocuments(count: number, options: GeneratorOptions = {}): GeneratedDocument[] {
  const next = createGenerator(options);
  return Array.from({ length: count }, next);
}
