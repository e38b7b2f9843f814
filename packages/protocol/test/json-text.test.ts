import { expect } from 'chai';
import { parseJsonText, stringifyJson } from '../src/index.js';

describe('parseJsonText', () => {
  it('reads integers past 2^53 as bigints with all their digits, and the rest as JSON.parse does', () => {
    const text =
      '{"int64":[9007199254740993,-9223372036854775808,9223372036854775807,-1],' +
      '"uint64":[18446744073709551615],"safe":[9007199254740991,-9007199254740991,0.5,1e3,-0]}';
    expect(parseJsonText(text)).to.deep.equal({
      int64: [9007199254740993n, -9223372036854775808n, 9223372036854775807n, -1],
      uint64: [18446744073709551615n],
      safe: [9007199254740991, -9007199254740991, 0.5, 1000, -0],
    });
  });

  it('reads long fractions and exponents as numbers, and long digit runs in strings as strings', () => {
    const text = '{"x":[0.12345678901234567,12345678901234567e2,1.5e400],"id":"12345678901234567890"}';
    expect(parseJsonText(text)).to.deep.equal({
      x: [0.12345678901234567, 1234567890123456700, Infinity],
      id: '12345678901234567890',
    });
  });

  it('keeps the last of repeated keys, as JSON.parse does, whichever way it reads', () => {
    expect(parseJsonText('{"a":1,"a":2}')).to.deep.equal({ a: 2 });
    expect(parseJsonText('{"a":1,"a":9007199254740993}')).to.deep.equal({ a: 9007199254740993n });
  });

  it('throws a SyntaxError on text that is not JSON, whichever way it reads', () => {
    expect(() => parseJsonText('{"a":')).to.throw(SyntaxError);
    expect(() => parseJsonText('{"a":9007199254740993')).to.throw(SyntaxError);
  });
});

describe('stringifyJson', () => {
  it('writes bigints as JSON numbers with all their digits', () => {
    const value = { data: [-9223372036854775808n, 18446744073709551615n, 1.5, 'x'], ok: true };
    expect(stringifyJson(value)).to.equal('{"data":[-9223372036854775808,18446744073709551615,1.5,"x"],"ok":true}');
  });

  it('writes values without bigints exactly as JSON.stringify does', () => {
    const value = { a: [0.1, -0, NaN, null], b: { c: 'é' }, d: undefined };
    expect(stringifyJson(value)).to.equal(JSON.stringify(value));
  });
});
