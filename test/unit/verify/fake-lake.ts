import { ContainerClient, RestError } from '@azure/storage-blob';

/** Blobs in memory with the few calls the verification makes (upload, ranged download); a unit-test fake. */
export function fakeLake(): { lake: ContainerClient; blobs: Map<string, Buffer> } {
  const blobs = new Map<string, Buffer>();
  const blob = (path: string) => ({
    upload: async (body: string) => void blobs.set(path, Buffer.from(body, 'utf8')),
    uploadData: async (data: Buffer) => void blobs.set(path, Buffer.from(data)),
    downloadToBuffer: async (offset = 0, count?: number) => {
      const data = blobs.get(path);
      if (!data) throw new RestError(`no blob ${path}`, { statusCode: 404 });
      return data.subarray(offset, count === undefined ? undefined : offset + count);
    },
  });
  const lake = { getBlockBlobClient: blob, createIfNotExists: async () => undefined } as unknown as ContainerClient;
  return { lake, blobs };
}
