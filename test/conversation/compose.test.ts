import type { Translator } from '../../src/conversation/i18n';
import { silentLogger } from '../../src/conversation/logger';
import { newRecord } from '../../src/conversation/record';
import { Turn, compose, type Middleware } from '../../src/conversation/turn';

/** The middleware chain: order, stopping, and one way for every failure to come out. */
const turn = () =>
  new Turn(
    { channel: 'web', conversationId: 'c', userId: 'u', messageId: 'm', timestamp: 0, text: 'hi' },
    newRecord({ channel: 'web', conversationId: 'c', userId: 'u' }, 'en', 0),
    true,
    0,
    {} as Translator,
    silentLogger,
  );

describe('compose', () => {
  it('runs the steps in order, each around the rest', async () => {
    const seen: string[] = [];
    const step =
      (name: string): Middleware =>
      async (_, next) => {
        seen.push(`${name} in`);
        await next();
        seen.push(`${name} out`);
      };
    await compose([step('a'), step('b'), step('c')])(turn());
    expect(seen).toEqual(['a in', 'b in', 'c in', 'c out', 'b out', 'a out']);
  });

  it('stops where a step does not call next()', async () => {
    const seen: string[] = [];
    await compose([
      async (_, next) => {
        seen.push('a');
        await next();
      },
      async () => {
        seen.push('b');
      },
      async () => {
        seen.push('never');
      },
    ])(turn());
    expect(seen).toEqual(['a', 'b']);
  });

  it('lets a step change the turn for the ones after it', async () => {
    const t = turn();
    await compose([
      async (x, next) => {
        x.payload = 'menu.open';
        await next();
      },
      async (x) => {
        x.say({ key: `seen:${x.payload}` });
      },
    ])(t);
    expect(t.outputs).toEqual([{ key: 'seen:menu.open' }]);
  });

  it('rejects with the error of a step that throws, whether async or not, and runs nothing after it', async () => {
    const after = jest.fn();
    const asyncThrow: Middleware = async () => {
      throw new Error('async failure');
    };
    const syncThrow = (() => {
      throw new Error('sync failure');
    }) as unknown as Middleware;
    await expect(compose([async (_, next) => next(), asyncThrow, after])(turn())).rejects.toThrow('async failure');
    await expect(compose([async (_, next) => next(), syncThrow, after])(turn())).rejects.toThrow('sync failure');
    expect(after).not.toHaveBeenCalled();
  });

  it('rejects when a step calls next() twice, running the rest once', async () => {
    const rest = jest.fn(async () => undefined);
    const twice: Middleware = async (_, next) => {
      await next();
      await next();
    };
    await expect(compose([twice, rest])(turn())).rejects.toThrow('middleware 0 called next() twice');
    expect(rest).toHaveBeenCalledTimes(1);
  });

  it('resolves with no steps at all', async () => {
    await expect(compose([])(turn())).resolves.toBeUndefined();
  });
});
