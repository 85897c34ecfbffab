import { requestIdFor } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it.each(['abc-123', 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', 'trace.1:span_2', 'x'.repeat(64)])(
    'keeps the sane incoming id %s',
    (incoming) => {
      expect(requestIdFor(incoming)).toBe(incoming);
    },
  );

  it.each([
    ['no header', undefined],
    ['an empty one', ''],
    ['one over 64 characters', 'x'.repeat(65)],
    ['a line break', 'abc\ninjected'],
    ['a space', 'abc def'],
    ['markup', '<script>'],
    ['a quote', 'abc"def'],
    ['a repeated header', ['abc', 'def']],
  ])('makes a fresh UUID for %s', (_case, incoming) => {
    expect(requestIdFor(incoming)).toMatch(UUID);
  });
});
