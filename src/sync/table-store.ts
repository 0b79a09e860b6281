import { ContainerClient, RestError } from '@azure/storage-blob';
import { MigrationError } from '../errors';
import { quoteName, tableNameProblem } from '../names';
import { emptyLedger, Ledger, TableRegistration } from './types';

/**
 * Registrations and ledgers of synced tables, as JSON blobs in the lake: `_sync/tables/<name>/registration.json`
 * and `…/ledger.json`. The lake is already the app's durable Azure store, reachable with the identity's one
 * storage role, and blob ETags give the conditional writes a ledger needs (a write based on a stale read
 * fails instead of overwriting), so no second store (Table storage, entities) is added.
 */
const ROOT = '_sync/tables';

export interface Versioned<T> {
  value: T;
  /** Undefined when the blob does not exist yet. */
  etag?: string;
}

export class ConcurrentUpdateError extends Error {
  constructor(what: string) {
    super(`${what} was changed by someone else at the same time; retry`);
    this.name = 'ConcurrentUpdateError';
  }
}

/**
 * A table's folder. Routes check the name first (a 400); this is the last guard, because the storage SDK resolves
 * `..` in blob names and `../../lake` would be another table's registration, or no table's.
 */
function folderOf(name: string): string {
  const problem = tableNameProblem(name);
  if (problem) {
    throw new MigrationError(
      'CONFIGURATION',
      `table name ${quoteName(name)} cannot name a folder of the lake: it ${problem}`,
    );
  }
  return `${ROOT}/${name}`;
}

function registrationPath(name: string): string {
  return `${folderOf(name)}/registration.json`;
}

function ledgerPath(name: string): string {
  return `${folderOf(name)}/ledger.json`;
}

export class TableStore {
  private containerReady = false;

  constructor(private readonly lake: ContainerClient) {}

  private async read<T>(path: string): Promise<Versioned<T> | undefined> {
    try {
      const blob = this.lake.getBlockBlobClient(path);
      const response = await blob.download();
      const text = await streamText(response.readableStreamBody as NodeJS.ReadableStream);
      return { value: JSON.parse(text) as T, etag: response.etag };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Writes only if the blob is still at `etag` (or still absent when `etag` is undefined). */
  private async write(path: string, value: unknown, etag: string | undefined, what: string): Promise<string> {
    if (!this.containerReady) {
      await this.lake.createIfNotExists();
      this.containerReady = true;
    }
    const body = JSON.stringify(value, null, 2);
    try {
      const response = await this.lake.getBlockBlobClient(path).upload(body, Buffer.byteLength(body), {
        conditions: etag ? { ifMatch: etag } : { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return response.etag as string;
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 412 || error.statusCode === 409))
        throw new ConcurrentUpdateError(what);
      throw error;
    }
  }

  async getRegistration(name: string): Promise<Versioned<TableRegistration> | undefined> {
    return this.read<TableRegistration>(registrationPath(name));
  }

  async putRegistration(registration: TableRegistration, etag: string | undefined): Promise<string> {
    return this.write(
      registrationPath(registration.name),
      registration,
      etag,
      `the registration of table ${registration.name}`,
    );
  }

  async getLedger(name: string, now: string): Promise<Versioned<Ledger>> {
    return (await this.read<Ledger>(ledgerPath(name))) ?? { value: emptyLedger(name, now) };
  }

  async saveLedger(ledger: Ledger, etag: string | undefined): Promise<string> {
    return this.write(ledgerPath(ledger.table), ledger, etag, `the ledger of table ${ledger.table}`);
  }

  /** Changes the ledger with `change`, re-reading and re-applying it when another writer got there first. */
  async updateLedger(name: string, now: string, change: (ledger: Ledger) => Ledger): Promise<Ledger> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.getLedger(name, now);
      const next = change(current.value);
      try {
        await this.saveLedger(next, current.etag);
        return next;
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError) || attempt >= 5) throw error;
      }
    }
  }

  async listNames(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const item of this.lake.listBlobsByHierarchy('/', { prefix: `${ROOT}/` })) {
        if (item.kind !== 'prefix') continue;
        // A folder someone else put there under a name no route accepts is not a table.
        const name = item.name.slice(ROOT.length + 1).replace(/\/$/, '');
        if (tableNameProblem(name) === undefined) names.push(name);
      }
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return [];
      throw error;
    }
    return names.sort();
  }

  async delete(name: string): Promise<boolean> {
    const [registration] = await Promise.all([
      this.lake.getBlockBlobClient(registrationPath(name)).deleteIfExists(),
      this.lake.getBlockBlobClient(ledgerPath(name)).deleteIfExists(),
    ]);
    return registration.succeeded;
  }
}

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}
