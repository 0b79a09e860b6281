import { ContainerClient } from '@azure/storage-blob';

/** Writes a JSON blob, replacing what is there (a re-run of an activity overwrites its own output). */
export async function writeJson(lake: ContainerClient, path: string, value: unknown): Promise<void> {
  const body = JSON.stringify(value);
  await lake.getBlockBlobClient(path).upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: 'application/json' },
  });
}

export async function readJson<T>(lake: ContainerClient, path: string): Promise<T> {
  return JSON.parse((await lake.getBlockBlobClient(path).downloadToBuffer()).toString('utf8')) as T;
}
