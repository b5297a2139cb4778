const INVOICE_DATE = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/;

/**
 * Parses `dd/mm/YYYY HH:MM` as UTC. Returns undefined for anything that is not a real calendar
 * date and time (31/02/2011, 24:00, month 13), because Date.UTC silently rolls those over.
 */
export function parseInvoiceDate(text: string): Date | undefined {
  const m = INVOICE_DATE.exec(text);
  if (!m) return undefined;
  const [day, month, year, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || day < 1) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute));
  return date.getUTCDate() === day && date.getUTCMonth() === month - 1 ? date : undefined;
}

/** Formats a date as `dd/mm/YYYY HH:MM` in UTC, the inverse of parseInvoiceDate. */
export function formatInvoiceDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${pad(date.getUTCMonth() + 1)}/${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}
