export { formatInvoiceDate, parseInvoiceDate } from './date.js';
export * from './messages.js';
export * from './schema.js';
export { validateInvoice, type ValidationResult } from './validate.js';
