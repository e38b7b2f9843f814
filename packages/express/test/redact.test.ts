/** Redaction of a payload read from its start, cut to the bytes a record keeps. */
import { expect } from 'chai';
import { REDACTED, parseRedactPaths, redactPayload, redactPayloadStart } from '../src/payload/redact.js';
import type { PayloadText } from '../src/payload/truncate.js';

const REDACTED_JSON = JSON.stringify(REDACTED);

/**
 * Payloads, paths and byte limits with what redacting the whole payload and
 * then cutting it to the limit gave before redaction read only a payload's
 * start: the text kept and whether it was cut.
 */
const WHOLE_PAYLOAD_RESULTS: [payload: string, paths: string[], limit: number, text: string, cut: boolean][] = [
  [
    '{"instances":[[6.8,2.8],[6.0,3.4]],"parameters":{"api_key":"sk-secret","top_k":2}}',
    ['instances.*', 'parameters.api_key'],
    40,
    '{"instances":["[REDACTED]","[REDACTED]"]',
    true,
  ],
  [
    '{"instances":[[6.8,2.8],[6.0,3.4]],"parameters":{"api_key":"sk-secret","top_k":2}}',
    ['instances.*', 'parameters.api_key'],
    1000,
    '{"instances":["[REDACTED]","[REDACTED]"],"parameters":{"api_key":"[REDACTED]","top_k":2}}',
    false,
  ],
  ['{"a":"short","secret":"0123456789abcdef","b":1}', ['secret'], 26, '{"a":"short","secret":"[RE', true],
  ['{"secret":{"nested":["0123456789"]},"b":1}', ['secret'], 14, '{"secret":"[RE', true],
  ['\uFEFF{"k":"v","p":"x"}', ['p'], 12, '\uFEFF{"k":"v",', true],
  [
    '{"a":{"b":1,"c":2},"a":3,"d":{"b":4}}',
    ['a', 'a.b', 'd.b'],
    100,
    '{"a":"[REDACTED]","a":"[REDACTED]","d":{"b":"[REDACTED]"}}',
    false,
  ],
  [
    '{"x":[{"k":1},{"k":2}],"y":{"k":3},"k":4}',
    ['*.*.k', '*.k'],
    100,
    '{"x":[{"k":"[REDACTED]"},{"k":"[REDACTED]"}],"y":{"k":"[REDACTED]"},"k":4}',
    false,
  ],
  [
    '[[1,2,3],[4,5,6],7]',
    ['1.0', '0.*', '2'],
    100,
    '[["[REDACTED]","[REDACTED]","[REDACTED]"],["[REDACTED]",5,6],"[REDACTED]"]',
    false,
  ],
  ['{"a\\u0062":"v","ab ":"w"}', ['ab'], 100, '{"a\\u0062":"[REDACTED]","ab ":"w"}', false],
  ['{"t":"ééé😀","s":"😀😀","u":"😀"}', ['s'], 27, '{"t":"ééé😀","s":"[RED', true],
  [
    '{\n  "a" : 1e400 ,\r\n "b":[ ]\t, "c": 12345678901234567891}',
    ['b', 'c'],
    100,
    '{\n  "a" : 1e400 ,\r\n "b":"[REDACTED]"\t, "c": "[REDACTED]"}',
    false,
  ],
  // NaN and the infinities, which inferlens reads and writes in tensor data, are values like numbers.
  [
    '{"data":[NaN, -Infinity,Infinity,-NaN,Inf,-Inf],"k":"v","m":-Infinity}',
    ['k', 'm', 'data.1'],
    100,
    '{"data":[NaN, "[REDACTED]",Infinity,-NaN,Inf,-Inf],"k":"[REDACTED]","m":"[REDACTED]"}',
    false,
  ],
  ['{"a":- Infinity}', ['b'], 100, '[REDACTED]', false],
  ['{"a":NaNx}', ['b'], 100, '[REDACTED]', false],
  ['{"a":nan}', ['b'], 100, '[REDACTED]', false],
  ['{"a":-}', ['b'], 100, '[REDACTED]', false],
  ['{"a":NaN NaN}', ['b'], 100, '[REDACTED]', false],
  ['{NaN:1}', ['b'], 100, '[REDACTED]', false],
  ['{"a":1}', [''], 100, '{"a":1}', false],
  ['"top"', ['a'], 100, '"top"', false],
  ['-0.5e-3', ['*'], 100, '-0.5e-3', false],
  [
    '{"a":true,"b":false,"c":null,"d":{}}',
    ['*'],
    100,
    '{"a":"[REDACTED]","b":"[REDACTED]","c":"[REDACTED]","d":"[REDACTED]"}',
    false,
  ],
  ['{"a":1}', ['a'], 18, '{"a":"[REDACTED]"}', false],
  ['"éé"', ['a'], 4, '"é', true],
  ['not json', ['a'], 100, '[REDACTED]', false],
  ['not json', ['a'], 4, '[RED', true],
  ['{"a":1,}', ['a'], 100, '[REDACTED]', false],
  ['{"a":1 /* c */}', ['a'], 100, '[REDACTED]', false],
  ['{"a":1} x', ['a'], 100, '[REDACTED]', false],
  ['{"a":01}', ['b'], 100, '[REDACTED]', false],
  ['{"a":"\u0001"}', ['b'], 100, '[REDACTED]', false],
  ['[1,,2]', ['0'], 100, '[REDACTED]', false],
  ['{"a" 1}', ['a'], 100, '[REDACTED]', false],
  ['{"a"::1}', ['a'], 100, '[REDACTED]', false],
  ['[1:2]', ['0'], 100, '[REDACTED]', false],
  ['{]', ['a'], 100, '[REDACTED]', false],
  ['[}', ['0'], 100, '[REDACTED]', false],
  ['{"a":[1}}', ['a.0'], 100, '[REDACTED]', false],
  ['[{"a":1]]', ['0.a'], 100, '[REDACTED]', false],
  ['  ', ['a'], 100, '[REDACTED]', false],
  ['', ['a'], 100, '', false],
];

describe('redactPayload', () => {
  describe('gives what redacting the whole payload, then cutting it, gave', () => {
    for (const [payload, paths, limit, text, cut] of WHOLE_PAYLOAD_RESULTS) {
      it(`${JSON.stringify(payload)} at ${JSON.stringify(paths)} in ${limit} bytes`, () => {
        expect(redactPayload({ text: payload, cut: false }, parseRedactPaths(paths), limit)).to.deep.equal({
          text,
          cut,
        });
      });
    }
  });

  it('stops reading once the redacted text passes the limit: what follows is not looked at', () => {
    const start = `{"api_key":"sk-secret","rows":[${'[1,2],'.repeat(50)}`;
    const redacted = redactPayload({ text: `${start}not JSON`, cut: false }, parseRedactPaths(['api_key']), 64);
    expect(redacted).to.deep.equal({ text: start.replace('"sk-secret"', REDACTED_JSON).slice(0, 64), cut: true });
  });

  it('counts the text before a redacted value in bytes, not characters, so stops where its record is full', () => {
    // 42 characters but 52 bytes once "x" is replaced: past the 45-byte limit, so what follows is not looked at.
    const start = '{"note":"éééééééééé","secret":"x"';
    const redacted = redactPayload({ text: `${start}}not JSON`, cut: false }, parseRedactPaths(['secret']), 45);
    const kept = Buffer.from(start.replace('"x"', REDACTED_JSON)).subarray(0, 45).toString();
    expect(redacted).to.deep.equal({ text: kept, cut: true });
  });

  it('withholds a payload that breaks the grammar in the part it reads, though the error is before the limit only', () => {
    const payload = `{"api_key":"sk-secret",,"rows":[${'[1,2],'.repeat(50)}]}`;
    const redacted = redactPayload({ text: payload, cut: false }, parseRedactPaths(['api_key']), 64);
    expect(redacted).to.deep.equal({ text: REDACTED, cut: false });
  });

  it('asks for more of a payload read in part when its redacted text ends before the limit', () => {
    const paths = parseRedactPaths(['data']);
    const start = `{"data":[${'1.5,'.repeat(100)}`;
    expect(redactPayload({ text: start, cut: true }, paths, 64)).to.equal(undefined);
    // A token that reaches the cut may go on past it: the number is not taken as it stands.
    const shortened = `{"data":1,"n":${'1'.repeat(100)}`;
    expect(redactPayload({ text: shortened, cut: true }, paths, 200)).to.equal(undefined);
  });

  it('keeps the redacted start of a payload read in part once it passes the limit', () => {
    const payload = `{"data":[${Array(100).fill('1.5').join(',')}],"rows":[${'[1,2],'.repeat(50)}`;
    const redacted = redactPayload({ text: payload, cut: true }, parseRedactPaths(['data']), 40);
    expect(redacted).to.deep.equal({
      text: `{"data":${REDACTED_JSON},"rows":[${'[1,2],'.repeat(50)}`.slice(0, 40),
      cut: true,
    });
  });

  it('keeps the redacted start of a payload read in part once a token just before the cut passes the limit', () => {
    // The comma after 3 ends one character before the cut: the 4 it cut short is not needed.
    expect(redactPayload({ text: '[1,2,3,4', cut: true }, parseRedactPaths(['9']), 6)).to.deep.equal({
      text: '[1,2,3',
      cut: true,
    });
  });

  it('redacts a field nested deeper than a recursive walk goes', () => {
    const depth = 20_000;
    const payload = `${'['.repeat(depth)}{"k":"secret","n":1}${']'.repeat(depth)}`;
    const paths = parseRedactPaths([`${'0.'.repeat(depth)}k`]);
    expect(redactPayload({ text: payload, cut: false }, paths)).to.deep.equal({
      text: payload.replace('"secret"', REDACTED_JSON),
      cut: false,
    });
  });
});

describe('redactPayloadStart', () => {
  /** A read that gives `texts` one after another, each but the last cut. */
  function reader(...texts: string[]): () => PayloadText {
    let reads = 0;
    return () => {
      reads += 1;
      return { text: texts[reads - 1], cut: reads < texts.length };
    };
  }

  it('keeps an empty body empty, as redactPayload does, rather than withhold it', () => {
    const read = reader('');
    expect(redactPayloadStart(read, parseRedactPaths(['a']), 100)).to.deep.equal({ text: '', cut: false });
  });

  it('reads a start four times longer each time its redacted text is still shorter than the limit', () => {
    const asked: number[] = [];
    // "[REDACTED]" stands for the whole array, which ends only past the third start read.
    const read = (maxBytes: number): PayloadText => {
      asked.push(maxBytes);
      return maxBytes > 1000 ? { text: '{"data":[1]}', cut: false } : { text: '{"data":[1,', cut: true };
    };
    expect(redactPayloadStart(read, parseRedactPaths(['data']), 30)).to.deep.equal({
      text: `{"data":${REDACTED_JSON}}`,
      cut: false,
    });
    expect(asked).to.deep.equal([4 * 31, 16 * 31, 64 * 31]);
  });

  it('starts over when a longer start does not begin with the text it read before', () => {
    // The second start differs just before where the first ran out, at the comma after 2.
    const read = reader('{"secret":"x","k":[1,2,3', '{"secret":"x","k":[1,2]}');
    expect(redactPayloadStart(read, parseRedactPaths(['secret']), 100)).to.deep.equal({
      text: `{"secret":${REDACTED_JSON},"k":[1,2]}`,
      cut: false,
    });
  });
});
