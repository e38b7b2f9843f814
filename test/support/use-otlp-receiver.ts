import type { OtlpReceiver, OtlpReceiverOptions } from './otlp-receiver.js';
import { startOtlpReceiver } from './otlp-receiver.js';

/** Options of {@link useOtlpReceiver}: the receiver's own, and how long one lives. */
export interface UseOtlpReceiverOptions extends OtlpReceiverOptions {
  /**
   * `'describe'` (default): one receiver for all the tests of the enclosing
   * `describe`, so that what a `before` hook sent stays for each of them;
   * `'test'`: a fresh one for each test, which sees only its own requests.
   */
  readonly per?: 'describe' | 'test';
}

/**
 * Starts an OTLP receiver (see {@link startOtlpReceiver}) for the enclosing
 * `describe` and closes it after; returns an accessor, since the receiver
 * exists only once the hook has run. Mocha runs `after` and `afterEach`
 * hooks in the order they were added: call this after the hooks that stop
 * what exports to it, so that their last export still finds it open.
 */
export function useOtlpReceiver(options: UseOtlpReceiverOptions = {}): () => OtlpReceiver {
  let receiver: OtlpReceiver | undefined;
  const start = async (): Promise<void> => {
    receiver = await startOtlpReceiver(options);
  };
  const close = async (): Promise<void> => {
    await receiver?.close();
    receiver = undefined;
  };
  if (options.per === 'test') {
    beforeEach(start);
    afterEach(close);
  } else {
    before(start);
    after(close);
  }
  return () => {
    if (receiver === undefined) throw new Error('useOtlpReceiver: the receiver is used outside a test');
    return receiver;
  };
}
