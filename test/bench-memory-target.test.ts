import { expect } from 'chai';
import { flatMemoryCheck } from '../bench/memory-target.js';

const MIB = 1024 * 1024;
const inMib = (values: readonly number[]): number[] => values.map((value) => value * MIB);

describe('bench memory target', () => {
  it('is met while the second half stays within 10% of the first half, and not past it', () => {
    const answering = inMib([150, 180, 190]);
    const held = flatMemoryCheck(inMib([150, 200, 210, 205, 219]), answering);
    expect([held.figure, held.met]).to.deep.equal(['200.0 MiB → 219.0 MiB (9.5%)', true]);
    const grew = flatMemoryCheck(inMib([150, 200, 210, 215, 221]), answering);
    expect([grew.figure, grew.met]).to.deep.equal(['200.0 MiB → 221.0 MiB (10.5%)', false]);
  });

  it("measures from the answering run's peak when the first half stayed below it", () => {
    const check = flatMemoryCheck(inMib([150, 170, 230, 240]), inMib([160, 225]));
    expect([check.figure, check.met]).to.deep.equal(['225.0 MiB → 240.0 MiB (6.7%)', true]);
    // From the first half's peak alone (170 MiB), the same outage would read as +41%.
  });
});
