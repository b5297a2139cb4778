import { describe, expect, it } from 'vitest';
import { osName } from '../src/machine.js';

describe('osName', () => {
  it('reads PRETTY_NAME, quoted or not', () => {
    expect(osName('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 13 (trixie)"\n')).toBe('Debian GNU/Linux 13 (trixie)');
    expect(osName('PRETTY_NAME=Alpine\n')).toBe('Alpine');
    expect(osName('')).toBe('unknown');
  });
});
