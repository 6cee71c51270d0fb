import type { Params } from '../../flows/types';
import type { OutboundMessage } from '../../src/conversation/channel';
import { englishTemplate, keysOf, rendersKey } from './english';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /**
       * Some reply is the English rendering of this locale key (and of these
       * params, if given), perhaps followed by its numbered choices or links.
       */
      toContainKey(key: string, params?: Params): R;
    }
  }
}

expect.extend({
  toContainKey(received: readonly OutboundMessage[], key: string, params?: Params) {
    // Thrown, not failed, so that `.not.toContainKey` of a misspelt key cannot pass.
    if (englishTemplate(key) === undefined) throw new Error(`'${key}' is not an English locale key`);
    const pass = received.some((reply) => rendersKey(reply, key, params));
    const shown = params ? `${key} ${JSON.stringify(params)}` : key;
    return {
      pass,
      message: () =>
        `expected replies ${pass ? 'not ' : ''}to contain ${shown}\nreplies were: ${JSON.stringify(keysOf(received))}`,
    };
  },
});
