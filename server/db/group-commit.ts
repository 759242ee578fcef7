/**
 * Group commit for SQLite, the embedded default: the actions that arrive while the writer is busy (or
 * in the same event-loop turn) run in ONE transaction, each inside its own savepoint, so a batch costs
 * one commit (one WAL fsync) instead of one per action. An action that fails is rolled back to its
 * savepoint and rejects with its own error; the others commit. Every promise settles only after the
 * batch's COMMIT has returned (synchronous=FULL: on disk), so "acknowledged" still means durable.
 *
 * Actions run one after another on SQLite's single connection, in arrival order: their audit rows
 * append to each clinic's chain in that order, and each sees the rows of those before it.
 * PostgreSQL does not use this: its pooled connections commit in parallel (and it has commit_delay).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

interface Item {
  work: (tx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Queues actions and commits them in batches; one per SQLite database handle. */
export class GroupCommit {
  #queue: Item[] = [];
  #busy = false;
  /** Transactions committed and the actions they carried (for the benchmark and tests). */
  readonly stats = { commits: 0, actions: 0 };

  /**
   * @param inTransaction whether the handle is still inside a transaction (SQLite rolls a whole
   *   transaction back by itself on some errors, e.g. SQLITE_FULL; then no savepoint is left to return to)
   * @param maxBatch the most actions one transaction carries
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly inTransaction: () => boolean,
    private readonly maxBatch = 64,
  ) {}

  /** Runs `work` in a savepoint of the next batch; settles once that batch has committed (or failed). */
  run<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Starts a batch after this turn's other arrivals have queued, unless one is running (it starts the next). */
  #schedule(): void {
    if (this.#busy) return;
    this.#busy = true;
    setImmediate(() => {
      void this.#commitBatch().finally(() => {
        this.#busy = false;
        if (this.#queue.length > 0) this.#schedule();
      });
    });
  }

  async #commitBatch(): Promise<void> {
    const batch = this.#queue.splice(0, this.maxBatch);
    const done: Array<{ item: Item; value: unknown }> = [];
    const failed: Array<{ item: Item; err: unknown }> = [];
    let started = 0;
    try {
      await this.db.transaction().execute(async (tx) => {
        for (let i = 0; i < batch.length; i++) {
          const item = batch[i]!;
          started = i + 1;
          const savepoint = sql.raw(`a_${i}`);
          await sql`savepoint ${savepoint}`.execute(tx);
          try {
            done.push({ item, value: await item.work(tx) });
            await sql`release ${savepoint}`.execute(tx);
          } catch (err) {
            if (!this.inTransaction()) {
              // The engine dropped the whole transaction: this action's error is the batch's.
              failed.push({ item, err });
              throw err;
            }
            // The action's own mistake (a refusal, a constraint): undo it alone.
            if (done.at(-1)?.item === item) done.pop();
            failed.push({ item, err });
            await sql`rollback to ${savepoint}`.execute(tx);
            await sql`release ${savepoint}`.execute(tx);
          }
        }
      });
    } catch (err) {
      // Nothing of this batch committed (a failed BEGIN or COMMIT, a lost transaction): the others fail with
      // the cause, a storage error the client may retry; a retry of one action never waits for another's.
      for (const { item } of done) failed.push({ item, err });
      for (const item of batch.slice(started)) failed.push({ item, err });
      done.length = 0;
    }
    if (done.length > 0) {
      this.stats.commits++;
      this.stats.actions += done.length;
    }
    for (const { item, value } of done) item.resolve(value);
    for (const { item, err } of failed) item.reject(err);
  }
}
