import { StatementBatch } from '../../src/store/postgres/statement-batch';

/**
 * The PostgreSQL stores' batching: calls asked for in one tick go out as one
 * statement, each hears its own answer, and a call that fails does so alone.
 */
describe('StatementBatch', () => {
  function recording(answer: (inputs: readonly number[]) => Promise<number[]>) {
    const sent: number[][] = [];
    const batch = new StatementBatch<number, number>(async (inputs) => {
      sent.push([...inputs]);
      return answer(inputs);
    });
    return { batch, sent };
  }

  it('sends the calls of one tick together, in order, and answers each with its own', async () => {
    const { batch, sent } = recording(async (inputs) => inputs.map((n) => n * 10));

    const answers = await Promise.all([batch.call(1), batch.call(2), batch.call(3)]);
    const later = await batch.call(4);

    expect(answers).toEqual([10, 20, 30]);
    expect(later).toBe(40);
    expect(sent).toEqual([[1, 2, 3], [4]]);
  });

  it('carries at most 500 calls in one statement', async () => {
    const { batch, sent } = recording(async (inputs) => [...inputs]);

    const answers = await Promise.all(Array.from({ length: 1_201 }, (_, i) => batch.call(i)));

    expect(answers).toEqual(Array.from({ length: 1_201 }, (_, i) => i));
    expect(sent.map((s) => s.length)).toEqual([500, 500, 201]);
  });

  it('sends each call alone after a failed batch, so that only the failing call fails', async () => {
    const { batch, sent } = recording(async (inputs) => {
      if (inputs.includes(2)) throw new Error(`refused ${inputs.join(',')}`);
      return inputs.map((n) => -n);
    });

    const settled = await Promise.allSettled([batch.call(1), batch.call(2), batch.call(3)]);

    expect(settled).toEqual([
      { status: 'fulfilled', value: -1 },
      { status: 'rejected', reason: new Error('refused 2') },
      { status: 'fulfilled', value: -3 },
    ]);
    expect(sent).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('treats an answer of the wrong length as a failure, never handing one call another’s answer', async () => {
    const { batch, sent } = recording(async (inputs) => (inputs.length > 1 ? [99] : [inputs[0]! + 100]));

    const answers = await Promise.all([batch.call(1), batch.call(2)]);

    expect(answers).toEqual([101, 102]);
    expect(sent).toEqual([[1, 2], [1], [2]]);
  });

  it('rejects a lone call with the statement’s own error', async () => {
    const { batch } = recording(async () => {
      throw new Error('connection terminated');
    });

    await expect(batch.call(1)).rejects.toThrow('connection terminated');
  });
});
