import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/lib/errors.js';
import { utf8Body } from '../../src/lib/json-text.js';

// Which bytes are UTF-8, and where the first that is not sits: packages/pipeline/test/json-text.test.ts.
describe('utf8Body', () => {
  it('gives the text of UTF-8 as it is', () => {
    expect(utf8Body(Buffer.from('\uFEFF{"a":"\uFFFD"}'))).toBe('\uFEFF{"a":"\uFFFD"}');
  });

  it('refuses bytes that are not UTF-8 with 400 naming the byte', () => {
    let error: unknown;
    try {
      utf8Body(Buffer.from([0xef, 0xbf, 0xbd, 0xff]));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(400);
    expect((error as HttpError).body).toEqual({
      error: 'Bad Request',
      message: 'the body is not valid UTF-8',
      details: [{ field: '(body)', reason: 'is not valid UTF-8: byte 3 does not start a valid sequence' }],
    });
  });
});
