import { applyRecord, InstanceState, LogRecord, ParentLink } from './instanceState';
import { InstanceStore } from './instanceStore';
import { SerialQueue } from './serialQueue';
import { InstanceSummary } from './statusPayload';

/**
 * Everything the engine keeps per instance id. All reads and writes of `state` happen on `queue`, so one
 * instance never runs two episodes (or an episode and an append) at once. Finished instances drop their
 * full state and keep only the summary; their history is read back from disk when asked for.
 */
export class InstanceSlot {
  readonly queue = new SerialQueue();
  state: InstanceState | undefined;
  summary: InstanceSummary | undefined;
  parent: ParentLink | undefined;
  draining = false;
  /** Set when work arrives while a drain loop is running, so the loop takes another turn. */
  wake = false;

  constructor(readonly instanceId: string) {}

  /** Persists a record (fsync'd) and only then applies it, so readers never see unpersisted state. */
  async commit(store: InstanceStore, record: LogRecord): Promise<void> {
    await store.append(this.instanceId, [record]);
    this.load(applyRecord(this.state, record));
  }

  load(state: InstanceState): void {
    this.state = state;
    this.parent = state.parent;
    this.refresh();
  }

  refresh(): void {
    const s = this.state;
    if (!s) return;
    this.summary = {
      instanceId: s.instanceId,
      name: s.name,
      status: s.status,
      createdTime: s.createdTime,
      lastUpdatedTime: s.lastUpdatedTime,
      input: s.input,
      output: s.output,
      customStatus: s.customStatus,
    };
  }

  evict(): void {
    this.state = undefined;
  }

  clear(): void {
    this.state = undefined;
    this.summary = undefined;
    this.parent = undefined;
  }
}
