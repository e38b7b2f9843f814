/** How `inferlens serve` reads its flag and `INFERLENS_*` values: what the help text shows, and nothing `Number()` would also take. */
import { expect } from 'chai';
import { integer } from '../src/cli-values.js';

describe('integer flag values', () => {
  const port = integer(0, 65_535);

  it('takes both bounds, and blanks around the digits', () => {
    expect(port('0')).to.equal(0);
    expect(port('65535')).to.equal(65_535);
    expect(port(' 8080 ')).to.equal(8080);
  });

  it('refuses a value one past either bound', () => {
    expect(() => integer(1, 10)('0')).to.throw("expected an integer from 1 to 10, got '0'");
    expect(() => port('65536')).to.throw("expected an integer from 0 to 65535, got '65536'");
  });

  it('refuses what Number() reads but the help text does not show: blanks, signs, fractions, hex, exponents', () => {
    for (const value of ['', ' ', '+2', '-0', '2.0', '2.', '0x10', '0b1', '1e3']) {
      expect(() => port(value), value).to.throw(`expected an integer from 0 to 65535, got '${value}'`);
    }
  });
});
