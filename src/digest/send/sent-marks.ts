// "Sent" marks written as a group commit: a mark is written at once when no write is under way, else with every mark
// that arrived meanwhile in the next statement. A sender waits for its mark before it takes its next message, so a
// crash can duplicate only what was in flight (one message per sending slot), while Postgres still sees few, large
// writes when the relay is fast.

export interface SentMarks {
  /** Resolves once the mark of `id` is in Postgres; rejects with the write's error when it could not be written. */
  mark(id: number): Promise<void>;
  /** Resolves once no write is under way and none is waiting. */
  idle(): Promise<void>;
}

export interface SentMarksOptions {
  /** Writes the marks of these ids in one statement, retrying as it sees fit; a rejection fails only these marks. */
  write(ids: number[]): Promise<unknown>;
  /** Called with the ids of each write that went through, before their marks resolve. */
  onWritten?(ids: number[]): void;
}

interface Waiting {
  id: number;
  resolve(): void;
  reject(err: unknown): void;
}

export function createSentMarks(o: SentMarksOptions): SentMarks {
  let waiting: Waiting[] = [];
  let writing: Promise<void> | undefined;

  const writeBatch = async (batch: Waiting[]) => {
    const ids = batch.map((w) => w.id);
    try {
      await o.write(ids);
      o.onWritten?.(ids);
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) w.resolve();
  };

  const flush = () => {
    if (writing || waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    writing = writeBatch(batch).finally(() => {
      writing = undefined;
      flush(); // a failed write stops nothing: the marks that came meanwhile get their own attempt
    });
  };

  return {
    mark(id) {
      const marked = new Promise<void>((resolve, reject) => waiting.push({ id, resolve, reject }));
      flush();
      return marked;
    },
    async idle() {
      while (writing) await writing;
    },
  };
}
