import { describe, expect, it } from 'vitest';
import { validationDetails } from '../../src/plugins/errors.js';

describe('validationDetails', () => {
  it('lists each missing and unknown property by name', () => {
    expect(
      validationDetails(
        [
          { keyword: 'required', instancePath: '', params: { requiredProperties: ['username', 'password'] }, message: 'x' },
          { keyword: 'boolean', instancePath: '/extra', params: {}, message: 'schema is false' },
          { keyword: 'additionalProperties', instancePath: '', params: { additionalProperties: ['extra'] }, message: 'x' },
        ],
        'body',
      ),
    ).toEqual([
      { field: 'username', reason: 'is required' },
      { field: 'password', reason: 'is required' },
      { field: 'extra', reason: 'is not a known field' },
    ]);
  });

  it('names the body itself "(body)" and explains known patterns in words', () => {
    expect(
      validationDetails(
        [
          { keyword: 'type', instancePath: '', params: { type: 'object' }, message: 'must be object' },
          { keyword: 'pattern', instancePath: '/username', params: { pattern: '^x$' }, message: 'must match pattern "^x$"' },
          { keyword: 'pattern', instancePath: '/other', params: { pattern: '^x$' }, message: 'must match pattern "^x$"' },
        ],
        'body',
      ),
    ).toEqual([
      { field: '(body)', reason: 'must be object' },
      { field: 'username', reason: "may contain only letters, digits, '_', '.' and '-'" },
      { field: 'other', reason: 'must match pattern "^x$"' },
    ]);
  });
});
