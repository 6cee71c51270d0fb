import type { Contender } from '../workload/driver';
import type { TurnInput } from '../workload/packing';
import type { TableStorage } from './table-storage';
import type { PeerTexts } from './texts';

/** What the table keeps per conversation. */
interface Row {
  state: string;
  updatedAt: number;
}

/**
 * The floor for this workload on each store: a hand-written state table
 * that does nothing but load the row, switch on (state, input), and save the
 * row, one commit per turn. No de-duplication, no outbox, no languages.
 */
export function stateTableContender(storage: TableStorage, texts: PeerTexts): Contender {
  const prompt = (state: string): string[] => {
    if (state === 'where') return [texts.where];
    if (state === 'menu') return [texts.menu];
    if (state === 'intro') return [texts.intro];
    const step = /^step(\d+)$/.exec(state);
    return step ? [texts.steps[Number(step[1])]!] : [texts.menu];
  };
  const decide = (state: string, input: TurnInput): [string, string[]] | undefined => {
    const said = input.payload ?? input.text?.trim().toLowerCase();
    switch (state) {
      case 'new':
        return ['where', [texts.welcome, texts.where]];
      case 'where':
        return said === 'menu' ? ['menu', [texts.menu]] : undefined;
      case 'menu':
        return said === 'topic.open:packing' ? ['intro', [texts.intro]] : undefined;
      case 'intro':
        return said === 'yes' ? ['step0', [texts.steps[0]!]] : undefined;
      default: {
        const step = Number(state.slice('step'.length));
        if (said !== 'next') return undefined;
        const next = step + 1;
        return next < texts.steps.length ? [`step${next}`, [texts.steps[next]!]] : ['menu', [texts.done, texts.menu]];
      }
    }
  };
  return {
    async turn(conversation, _index, input) {
      const key = `bench:c${conversation}`;
      const stored = await storage.load(key);
      const row: Row = stored === undefined ? { state: 'new', updatedAt: 0 } : (JSON.parse(stored) as Row);
      const decided = decide(row.state, input);
      const [state, replies] = decided ?? [row.state, [texts.notUnderstood, ...prompt(row.state)]];
      await storage.save(key, JSON.stringify({ state, updatedAt: Date.now() } satisfies Row));
      return replies;
    },
    close: () => storage.close(),
  };
}
