/** S3's rules for general purpose bucket names (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];

/**
 * Why `bucket` is not an S3 bucket name, or undefined. Access point aliases (`…-s3alias`, `…--ol-s3`) are
 * accepted: S3 takes them wherever a bucket name goes.
 */
export function bucketProblem(bucket: string): string | undefined {
  if (!BUCKET.test(bucket)) {
    return 'is not a valid S3 bucket name: 3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit';
  }
  if (bucket.includes('..')) return 'is not a valid S3 bucket name: it must not contain two adjacent periods';
  if (IP_ADDRESS.test(bucket)) return 'is not a valid S3 bucket name: it must not be formatted as an IP address';
  const reserved = RESERVED_PREFIXES.find((prefix) => bucket.startsWith(prefix));
  if (reserved) return `is not a valid S3 bucket name: the prefix "${reserved}" is reserved`;
  return undefined;
}
