import { describe, expect, it } from 'vitest';
import { printableDeep, printableText } from '../../../src/report/printable-text.js';

describe('printableText', () => {
  it('shows C0 and C1 controls, ESC sequences and newlines as visible escapes', () => {
    expect(printableText('a\x1b]0;pwned\x07b\x1b[2Jc\x9bd\ne\tf\u2028')).toBe(
      'a\\u001b]0;pwned\\u0007b\\u001b[2Jc\\u009bd\\u000ae\\u0009f\\u2028',
    );
    expect(printableText('plain ✓ é')).toBe('plain ✓ é');
  });

  it('applies to every string and key of a document', () => {
    expect(printableDeep({ name: 'x\x1b', list: ['\x07', 1], ['k\x9b']: null })).toEqual({
      name: 'x\\u001b',
      list: ['\\u0007', 1],
      ['k\\u009b']: null,
    });
  });
});
