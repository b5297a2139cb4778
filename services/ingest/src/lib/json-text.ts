import { utf8Text } from '@docpipe/pipeline';
import { HttpError } from './errors.js';

/**
 * A body's text, exactly as sent, or a 400 naming the first byte that is not UTF-8: a body that is
 * no text is not a document, so it is refused outright rather than kept as a rejection.
 */
export function utf8Body(body: Uint8Array): string {
  const text = utf8Text(body);
  if (typeof text === 'string') return text;
  throw new HttpError(400, 'the body is not valid UTF-8', { details: [{ field: '(body)', reason: text.reason }] });
}
