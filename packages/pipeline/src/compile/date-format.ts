/**
 * Date-time formats written the way the documents' users write them (`dd/mm/YYYY HH:MM`: day,
 * month, year, hour, minute; `SS` seconds), for the `x-date-format` schema keyword and the
 * transform's date() function. Every value is read as UTC.
 */
const TOKENS = { YYYY: 'year', dd: 'day', mm: 'month', HH: 'hour', MM: 'minute', SS: 'second' } as const;
type Part = (typeof TOKENS)[keyof typeof TOKENS];
const TOKEN = /YYYY|dd|mm|HH|MM|SS/g;

export interface DateFormat {
  readonly format: string;
  /** `undefined` for text of another shape, `null` for the right shape but no real date and time. */
  parse(text: string): Date | undefined | null;
}

const cache = new Map<string, DateFormat>();

/** Compiles a format once; throws for a format without year, month and day or with a token twice. */
export function dateFormat(format: string): DateFormat {
  const known = cache.get(format);
  if (known) return known;
  const order: Part[] = [];
  const source = format.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(TOKEN, (token) => {
    order.push(TOKENS[token as keyof typeof TOKENS]);
    return token === 'YYYY' ? '(\\d{4})' : '(\\d{2})';
  });
  if (new Set(order).size !== order.length) throw new Error(`date format "${format}" names a part twice`);
  for (const part of ['year', 'month', 'day'] as const) {
    if (!order.includes(part)) throw new Error(`date format "${format}" has no ${part} (tokens: ${Object.keys(TOKENS).join(', ')})`);
  }
  const shape = new RegExp(`^${source}$`);
  const compiled: DateFormat = {
    format,
    parse(text) {
      const match = shape.exec(text);
      if (!match) return undefined;
      const value: Record<Part, number> = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
      order.forEach((part, i) => (value[part] = Number(match[i + 1])));
      const { year, month, day, hour, minute, second } = value;
      // Date.UTC rolls 31/02 over into March and 24:00 into the next day: both are refused here.
      if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
      const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
      return date.getUTCDate() === day && date.getUTCMonth() === month - 1 ? date : null;
    },
  };
  cache.set(format, compiled);
  return compiled;
}
