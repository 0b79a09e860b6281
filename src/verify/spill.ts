import { ContainerClient, RestError } from '@azure/storage-blob';

/**
 * The shuffle between the two passes. Each unit (a data file of the expected side, a feed range of the container
 * side) writes its records grouped by bucket: buffered per bucket up to SPILL_BYTES, then written as one spill
 * blob with the records in bucket order, beside a binary index of where each bucket starts (one float64 per
 * bucket, plus the end). A bucket's check then reads, from every spill of every unit, only its own slice: two
 * ranged reads, whatever the number of buckets. Memory stays at one spill's buffer however large the unit.
 *
 * Names are fixed by the unit and the spill's number, and `done.json` (the spill count) is written last, so a unit
 * run again after its process died overwrites its own output and a reader never sees half of it.
 */
export const SPILL_BYTES = 32 * 1024 * 1024;

export function unitFolder(run: string, side: 'expected' | 'actual', unit: number): string {
  return `${run}/${side}/${String(unit).padStart(6, '0')}`;
}

interface Done {
  spills: number;
  records: number;
}

export class SpillWriter {
  private readonly buffers: string[][];
  private bytes = 0;
  private spills = 0;
  records = 0;

  constructor(
    private readonly lake: ContainerClient,
    private readonly folder: string,
    private readonly buckets: number,
    private readonly limit = SPILL_BYTES,
  ) {
    this.buffers = Array.from({ length: buckets }, () => []);
  }

  async add(bucket: number, line: string): Promise<void> {
    this.buffers[bucket].push(line);
    this.bytes += line.length + 1;
    this.records++;
    if (this.bytes >= this.limit) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.bytes === 0) return;
    // Little-endian float64s whatever the platform: the reader takes each bucket's two with readDoubleLE.
    const offsets = Buffer.alloc((this.buckets + 1) * 8);
    const parts: Buffer[] = [];
    let at = 0;
    for (let b = 0; b < this.buckets; b++) {
      offsets.writeDoubleLE(at, b * 8);
      if (this.buffers[b].length > 0) {
        const part = Buffer.from(this.buffers[b].join('\n') + '\n', 'utf8');
        parts.push(part);
        at += part.length;
        this.buffers[b] = [];
      }
    }
    offsets.writeDoubleLE(at, this.buckets * 8);
    const name = `${this.folder}/s${String(this.spills).padStart(5, '0')}`;
    const data = Buffer.concat(parts);
    await this.lake.getBlockBlobClient(`${name}.dat`).uploadData(data);
    await this.lake.getBlockBlobClient(`${name}.idx`).uploadData(offsets);
    this.spills++;
    this.bytes = 0;
  }

  /** Writes what is buffered and then `done.json`: the unit is complete. */
  async close(): Promise<void> {
    await this.flush();
    const done: Done = { spills: this.spills, records: this.records };
    const body = JSON.stringify(done);
    await this.lake.getBlockBlobClient(`${this.folder}/done.json`).upload(body, Buffer.byteLength(body));
  }
}

async function rangeOf(lake: ContainerClient, path: string, offset: number, count: number): Promise<Buffer> {
  return lake.getBlockBlobClient(path).downloadToBuffer(offset, count);
}

/** The lines one unit wrote for `bucket`, across its spills. Throws if the unit has not finished. */
export async function readBucketOfUnit(lake: ContainerClient, folder: string, bucket: number): Promise<string[]> {
  let done: Done;
  try {
    done = JSON.parse((await lake.getBlockBlobClient(`${folder}/done.json`).downloadToBuffer()).toString('utf8'));
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404)
      throw new Error(`${folder} has not been written completely (no done.json)`, { cause: error });
    throw error;
  }
  const lines: string[] = [];
  for (let s = 0; s < done.spills; s++) {
    const name = `${folder}/s${String(s).padStart(5, '0')}`;
    const bounds = await rangeOf(lake, `${name}.idx`, bucket * 8, 16);
    const start = bounds.readDoubleLE(0);
    const end = bounds.readDoubleLE(8);
    if (end <= start) continue;
    const text = (await rangeOf(lake, `${name}.dat`, start, end - start)).toString('utf8');
    for (const line of text.split('\n')) if (line.length > 0) lines.push(line);
  }
  return lines;
}
