/**
 * What is asked for while the event loop is busy (the turns of many
 * conversations at once), handed over in one go when it is next idle: the
 * scheduling that the SQLite group commit and the PostgreSQL statement
 * batches share. Each decides what handing over means.
 */
export class TickQueue<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly handOver: (items: T[]) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands over what is queued now, without waiting for the loop to be idle (a store about to close). */
  flush(): void {
    this.scheduled = false;
    const items = this.items;
    this.items = [];
    if (items.length > 0) this.handOver(items);
  }
}
