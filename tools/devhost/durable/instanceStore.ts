import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { applyRecord, ExecutionSnapshot, InstanceState, LogRecord } from './instanceState';

/**
 * One append-only JSON-lines log per instance under `<stateDir>/instances/`. Every append is fsync'd before
 * the engine applies it in memory, so anything a client or the orchestrator has seen survives `kill -9`.
 * A new execution (creation, ContinueAsNew) starts a fresh log through write-temp-fsync-rename, which also
 * keeps eternal orchestrations from growing one file forever.
 */
export class InstanceStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'instances');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
  }

  /** Readable, filesystem-safe and collision-free (the hash also separates ids differing only in case). */
  fileFor(instanceId: string): string {
    const readable = instanceId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
    const hash = createHash('sha256').update(instanceId).digest('hex').slice(0, 16);
    return path.join(this.dir, `${readable}.${hash}.jsonl`);
  }

  async append(instanceId: string, records: LogRecord[]): Promise<void> {
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const handle = await fs.open(this.fileFor(instanceId), 'a');
    try {
      await handle.write(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async writeSnapshot(snapshot: ExecutionSnapshot): Promise<void> {
    const file = this.fileFor(snapshot.instanceId);
    const temp = `${file}.${process.pid}.tmp`;
    const handle = await fs.open(temp, 'w');
    try {
      await handle.write(`${JSON.stringify({ type: 'snapshot', state: snapshot } satisfies LogRecord)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
    await this.#syncDir();
  }

  async remove(instanceId: string): Promise<void> {
    await fs.rm(this.fileFor(instanceId), { force: true });
  }

  async load(instanceId: string): Promise<InstanceState | undefined> {
    return this.#loadFile(this.fileFor(instanceId));
  }

  /** Replays every log; unreadable files are reported and skipped rather than blocking startup. */
  async loadAll(onError: (file: string, err: unknown) => void): Promise<InstanceState[]> {
    const names = (await fs.readdir(this.dir)).filter((n) => n.endsWith('.jsonl'));
    const states: InstanceState[] = [];
    for (const name of names) {
      try {
        const state = await this.#loadFile(path.join(this.dir, name));
        if (state) states.push(state);
      } catch (err) {
        onError(name, err);
      }
    }
    // Leftovers of a crash between writing and renaming a snapshot were never acknowledged.
    for (const name of (await fs.readdir(this.dir)).filter((n) => n.endsWith('.tmp'))) {
      await fs.rm(path.join(this.dir, name), { force: true });
    }
    return states;
  }

  async #loadFile(file: string): Promise<InstanceState | undefined> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline !== text.length - 1) {
      // A torn final write was never acknowledged: drop it so later appends start on a clean line.
      await fs.truncate(file, Buffer.byteLength(text.slice(0, lastNewline + 1)));
      text = text.slice(0, lastNewline + 1);
    }
    let state: InstanceState | undefined;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      state = applyRecord(state, JSON.parse(line) as LogRecord);
    }
    return state;
  }

  async #syncDir(): Promise<void> {
    try {
      const handle = await fs.open(this.dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // Directory handles cannot be fsync'd on every platform (Windows); the rename is still atomic.
    }
  }
}
