import * as df from 'durable-functions';

/**
 * Activity retries for transient faults that outlived the in-activity retries (a host recycled mid-file,
 * a storage outage): 5 attempts, 5 s doubling to at most 2 min. Permanent problems come back as data
 * and are never retried.
 */
export function transientRetry(): df.RetryOptions {
  const options = new df.RetryOptions(5_000, 5);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 120_000;
  return options;
}
