import { csvField } from './vendor-qr-export.use-case';

describe('csvField', () => {
  it('quotes commas, quotes and line breaks, and neutralises spreadsheet formulas', () => {
    expect(csvField('LPA:1$rsp.example$ABC')).toBe('LPA:1$rsp.example$ABC');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('')).toBe('');
  });
});
