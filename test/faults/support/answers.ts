/** Faults as the real services answer them, and plans that pick them at random, for the fault proxy. */
import { Fault, FaultPlan, OperationVerdict, RequestInfo } from './fault-proxy';

/** A deterministic pseudo-random source, so a failing run can be repeated with its seed. */
export { seededRandom as seeded } from '../../../tools/sample/random';

/**
 * Cosmos DB's limit on the size of one item (2 MB), which the local server does not enforce: a bulk
 * operation whose document is larger is answered 413, as the service does.
 */
export const COSMOS_MAX_ITEM_BYTES = 2 * 1024 * 1024;
export const cosmosItemSizeLimit: OperationVerdict = (operation) =>
  operation.resourceBody !== undefined &&
  Buffer.byteLength(JSON.stringify(operation.resourceBody)) > COSMOS_MAX_ITEM_BYTES
    ? 413
    : undefined;

/** Cosmos DB's throttling answer: 429 with the wait the client must honour, as the service sends it. */
export function cosmosThrottle(retryAfterMs: number): Fault {
  return {
    kind: 'status',
    status: 429,
    headers: {
      'content-type': 'application/json',
      'x-ms-retry-after-ms': String(retryAfterMs),
      'x-ms-substatus': '3200',
      'x-ms-request-charge': '0',
      'x-ms-activity-id': '00000000-0000-0000-0000-000000000429',
    },
    body: JSON.stringify({
      code: 'TooManyRequests',
      message:
        'Message: {"Errors":["Request rate is large. More Request Units may be needed, so no changes were made. Please retry this request later."]}',
    }),
  };
}

export function cosmosUnavailable(retryAfterMs: number): Fault {
  return {
    kind: 'status',
    status: 503,
    headers: {
      'content-type': 'application/json',
      'x-ms-retry-after-ms': String(retryAfterMs),
      'x-ms-activity-id': '00000000-0000-0000-0000-000000000503',
    },
    body: JSON.stringify({ code: 'ServiceUnavailable', message: 'The service is currently unavailable.' }),
  };
}

/** An S3 error document (`SlowDown` 503, `InternalError` 500, …) as S3 answers it. */
export function s3Error(status: number, code: string, message: string): Fault {
  return {
    kind: 'status',
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'FAULTPROXY0000001' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULTPROXY0000001</RequestId></Error>`,
  };
}

/**
 * Picks at most one fault per request: each entry applies with its probability, checked in order, using one
 * draw per request so the rates add up as stated (10% + 2% → 12% of requests faulted).
 */
export function randomFaults(
  entries: { rate: number; fault: () => Fault }[],
  random: () => number,
  applies: (r: RequestInfo) => boolean = () => true,
): FaultPlan {
  return (request) => {
    if (!applies(request)) return undefined;
    const draw = random();
    let edge = 0;
    for (const entry of entries) {
      edge += entry.rate;
      if (draw < edge) return entry.fault();
    }
    return undefined;
  };
}
