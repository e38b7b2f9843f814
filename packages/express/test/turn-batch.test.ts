import { expect } from 'chai';
import { TurnBatch } from '../src/turn-batch.js';

/** Resolves once the event loop has run the immediates queued so far. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  it('handles the items added during a turn together, in order, once the turn is done', async () => {
    const handled: number[] = [];
    const batch = new TurnBatch<number>((item) => handled.push(item));
    batch.add(1);
    batch.add(2);
    await Promise.resolve();
    batch.add(3);
    expect(handled).to.deep.equal([]);
    await nextTurn();
    expect(handled).to.deep.equal([1, 2, 3]);
  });

  it('handleAll handles the items added so far at once, and each item only once', async () => {
    const handled: string[] = [];
    const batch = new TurnBatch<string>((item) => handled.push(item));
    batch.add('a');
    batch.handleAll();
    expect(handled).to.deep.equal(['a']);
    batch.add('b');
    await nextTurn();
    await nextTurn();
    expect(handled).to.deep.equal(['a', 'b']);
  });

  it('takes items again in a later turn', async () => {
    const handled: number[] = [];
    const batch = new TurnBatch<number>((item) => handled.push(item));
    batch.add(1);
    await nextTurn();
    batch.add(2);
    expect(handled).to.deep.equal([1]);
    await nextTurn();
    expect(handled).to.deep.equal([1, 2]);
  });
});
