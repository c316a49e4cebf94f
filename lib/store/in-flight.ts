// Bounds how much bulk work runs at once, so that a fast producer (a file being read) waits for
// DynamoDB instead of piling up requests in memory.
export class InFlight {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  /** Starts `work`, then waits while `limit` are running. Throws the first failure of any. */
  async run(work: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    const running: Promise<void> = work()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(running));
    this.running.add(running);
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.throwIfFailed();
  }

  /** Waits for everything started; throws the first failure of any. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
