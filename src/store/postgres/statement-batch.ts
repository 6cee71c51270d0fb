import { TickQueue } from '../tick-queue';

/** The most calls one statement carries; more go as further statements at the same time. */
const MAX_BATCH = 500;

interface Call<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Calls of one statement asked for while the event loop is busy (the turns of
 * many conversations at once), sent together as one statement when it is
 * next idle (TickQueue): one round trip instead of one each, and on
 * PostgreSQL the round trip is most of what a short statement costs. `runMany` answers each input,
 * in order. If the batched statement fails, each call is sent again alone, so
 * that a call fails alone, exactly as it would have without batching.
 */
export class StatementBatch<I, O> {
  private readonly queue = new TickQueue<Call<I, O>>((calls) => {
    for (let i = 0; i < calls.length; i += MAX_BATCH) void this.send(calls.slice(i, i + MAX_BATCH));
  });

  constructor(private readonly runMany: (inputs: readonly I[]) => Promise<O[]>) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => this.queue.push({ input, resolve, reject }));
  }

  private async send(calls: readonly Call<I, O>[]): Promise<void> {
    let outputs: O[];
    try {
      outputs = await this.runMany(calls.map((c) => c.input));
      if (outputs.length !== calls.length) throw new Error(`a batch of ${calls.length} was answered with ${outputs.length}`);
    } catch (err) {
      if (calls.length === 1) calls[0]!.reject(err);
      else await Promise.all(calls.map((c) => this.send([c])));
      return;
    }
    calls.forEach((c, i) => c.resolve(outputs[i]!));
  }
}
