import { AZURITE_ACCOUNT, AZURITE_KEY, DEFAULT_PORTS, LOCAL_HOST } from './constants';

export interface StorageAccountEndpoints {
  accountName: string;
  accountKey: string | undefined;
  /** Query string without '?', when the connection string carries a SAS instead of a key. */
  sas: string | undefined;
  blob: string;
  queue: string;
  table: string;
}

/**
 * Resolves the per-service endpoints of an Azure Storage connection string. @azure/storage-blob only
 * parses the blob part, and the queue/table SDKs are not dependencies of this app.
 */
export function parseStorageConnectionString(connectionString: string): StorageAccountEndpoints {
  const parts = new Map<string, string>();
  for (const segment of connectionString.split(';')) {
    const at = segment.indexOf('=');
    if (at > 0) parts.set(segment.slice(0, at).trim().toLowerCase(), segment.slice(at + 1).trim());
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    const local = (port: number): string => `http://${LOCAL_HOST}:${port}/${AZURITE_ACCOUNT}`;
    return {
      accountName: AZURITE_ACCOUNT,
      accountKey: AZURITE_KEY,
      sas: undefined,
      blob: local(DEFAULT_PORTS.blob),
      queue: local(DEFAULT_PORTS.queue),
      table: local(DEFAULT_PORTS.table),
    };
  }
  const accountName = parts.get('accountname');
  if (!accountName) throw new Error('storage connection string has no AccountName');
  const protocol = parts.get('defaultendpointsprotocol') ?? 'https';
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  const endpoint = (service: 'blob' | 'queue' | 'table'): string =>
    (parts.get(`${service}endpoint`) ?? `${protocol}://${accountName}.${service}.${suffix}`).replace(/\/+$/, '');
  return {
    accountName,
    accountKey: parts.get('accountkey'),
    sas: parts.get('sharedaccesssignature')?.replace(/^\?/, ''),
    blob: endpoint('blob'),
    queue: endpoint('queue'),
    table: endpoint('table'),
  };
}
