import { fromWebToken } from '@aws-sdk/credential-providers';
import { oidcProviderId } from './aws-trust-policy';

/**
 * AWS credentials for the S3 client.
 *
 * - `AWS_ROLE_ARN` set: the app's Azure identity (the function's managed identity through DefaultAzureCredential)
 *   gets an Entra ID token for `AWS_WEB_IDENTITY_AUDIENCE` and exchanges it with STS AssumeRoleWithWebIdentity
 *   for short-lived credentials of that role. No AWS secret exists anywhere.
 * - unset: `undefined`, so the S3 client uses the AWS SDK's default chain (environment variables such as
 *   `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, which in Azure come from Key Vault references, shared files, …).
 *
 * Nothing here ever puts a token or a key into an error message. A failed exchange names the token's `iss`, `aud`
 * and `sub` claims (read from its payload, not secret) so that the trust policy can be fixed from the message alone.
 */

export const DEFAULT_WEB_IDENTITY_AUDIENCE = 'api://AzureADTokenExchange';
/** Shown in the role's CloudTrail events as the session name. */
export const ROLE_SESSION_NAME = 'ddb-to-cosmos';
/** Credentials are renewed this long before they expire. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** The AWS SDK's credential provider type, as `fromWebToken` declares it. */
export type AwsCredentialProvider = ReturnType<typeof fromWebToken>;
export type AwsCredentials = Awaited<ReturnType<AwsCredentialProvider>>;
type FromWebTokenInit = Parameters<typeof fromWebToken>[0];
/** Calls STS AssumeRoleWithWebIdentity; the SDK's own STS client unless a test passes one. */
export type RoleAssumer = NonNullable<FromWebTokenInit['roleAssumerWithWebIdentity']>;

/** What `getToken` needs from a credential; `@azure/identity`'s TokenCredential satisfies it. */
export interface TokenSource {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

export interface AwsCredentialSettings {
  awsRoleArn?: string;
  awsWebIdentityAudience?: string;
  awsRegion: string;
}

export type AwsCredentialMode = 'web-identity' | 'default-chain';

export interface AwsCredentialOptions {
  /** Required for `web-identity`: the Azure credential that gets the token (managed identity in Azure). */
  tokenSource?: TokenSource;
  /** For tests: replaces the STS call. */
  roleAssumer?: RoleAssumer;
  /** For tests: the clock. */
  now?: () => number;
  /** Role session length. Default 3600 s (the role's maximum session duration must allow it). */
  durationSeconds?: number;
}

export function awsCredentialMode(settings: AwsCredentialSettings): AwsCredentialMode {
  return settings.awsRoleArn ? 'web-identity' : 'default-chain';
}

/** `api://AzureADTokenExchange` → `api://AzureADTokenExchange/.default` (the scope form Entra ID expects). */
export function scopeForAudience(audience: string): string {
  const trimmed = audience.trim().replace(/\/+$/, '');
  return trimmed.endsWith('/.default') ? trimmed : `${trimmed}/.default`;
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** Base64url JSON (a JWT's header or payload, on its own or cut short): claims of the documented shape never are. */
const JWT_PART = /eyJ[A-Za-z0-9_-]{4,}[A-Za-z0-9_.-]*/g;

/**
 * The first line of an error's message with every given secret and anything that looks like a JWT removed.
 * Used instead of attaching the original error as `cause`, which loggers print in full.
 */
export function redactedReason(error: unknown, secrets: Array<string | undefined>): string {
  const raw = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // Redacted before it is shortened: a secret cut in two by the limit would no longer be found.
  let text = raw.split('\n')[0];
  for (const secret of secrets) {
    if (secret && secret.length >= 4) text = text.split(secret).join('[redacted]');
  }
  return text.replace(JWT_LIKE, '[redacted]').replace(JWT_PART, '[redacted]').slice(0, 300);
}

/** The claims a role's trust policy is checked against; `undefined` when the token lacks one. */
export interface WebIdentityClaims {
  iss?: string;
  aud?: string;
  sub?: string;
}

const CLAIM_MAX_CHARS = 200;

function claimText(value: unknown): string | undefined {
  const parts = Array.isArray(value) ? value : [value];
  const strings = parts.filter((part): part is string => typeof part === 'string');
  if (strings.length === 0) return undefined;
  // Printable characters only, bounded, and nothing shaped like a token: a claim is shown, never a credential.
  return strings
    .join(',')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(JWT_PART, '[redacted]')
    .slice(0, CLAIM_MAX_CHARS);
}

/**
 * `iss`, `aud` and `sub` of a JWT, read from its payload without verifying it (STS verifies; this is only to say
 * which token was refused). Never throws; the header and signature are not looked at.
 */
export function webIdentityClaims(token: string): WebIdentityClaims {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const decoded: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!decoded || typeof decoded !== 'object') return {};
    const claims = decoded as Record<string, unknown>;
    return { iss: claimText(claims.iss), aud: claimText(claims.aud), sub: claimText(claims.sub) };
  } catch {
    return {};
  }
}

/** What a failed exchange says about the token and the trust policy that would accept it. */
export function describeClaimsForTrustPolicy(claims: WebIdentityClaims, roleArn?: string): string {
  const shown = (value: string | undefined) => (value === undefined ? '(absent)' : JSON.stringify(value));
  const text = `the token's claims: iss=${shown(claims.iss)}, aud=${shown(claims.aud)}, sub=${shown(claims.sub)}`;
  if (!claims.iss?.startsWith('https://')) return text;
  const provider = oidcProviderId(claims.iss);
  const [, partition = 'aws', account = '<account>'] = /^arn:([^:]+):iam::(\d{12}):/.exec(roleArn ?? '') ?? [];
  return (
    `${text}; a trust policy that accepts it has Principal.Federated ` +
    `arn:${partition}:iam::${account}:oidc-provider/${provider} ` +
    `(an IAM OIDC provider with URL ${claims.iss} and client id ${shown(claims.aud)}) and StringEquals ` +
    `${provider}:aud=${shown(claims.aud)}, ${provider}:sub=${shown(claims.sub)}`
  );
}

/** An error whose message is safe to log: the role and audience are named, secrets never. */
export class AwsCredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsCredentialError';
  }
}

/**
 * A credential provider that, on each renewal, asks `tokenSource` for a fresh Entra ID token and exchanges it
 * with `fromWebToken` (STS AssumeRoleWithWebIdentity). `fromWebToken` takes the token as a fixed string, so it
 * is re-created for every exchange; results are cached until shortly before they expire and concurrent callers
 * share one exchange. (The S3 client memoizes providers too; this keeps the provider correct on its own.)
 */
export function webIdentityCredentials(
  roleArn: string,
  audience: string,
  region: string,
  options: AwsCredentialOptions & { tokenSource: TokenSource },
): AwsCredentialProvider {
  const now = options.now ?? Date.now;
  const scope = scopeForAudience(audience);
  let cached: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;

  const fresh = (credentials: AwsCredentials | undefined): credentials is AwsCredentials =>
    credentials !== undefined &&
    (credentials.expiration === undefined || credentials.expiration.getTime() - REFRESH_MARGIN_MS > now());

  const exchange = async (): Promise<AwsCredentials> => {
    let token: string | undefined;
    try {
      token = (await options.tokenSource.getToken(scope))?.token;
    } catch (error) {
      throw new AwsCredentialError(
        `could not get an Entra ID token for audience ${audience} (needed to assume AWS role ${roleArn}): ` +
          redactedReason(error, []),
      );
    }
    if (!token) {
      throw new AwsCredentialError(
        `no Entra ID token was returned for audience ${audience} (needed to assume AWS role ${roleArn})`,
      );
    }
    try {
      return await fromWebToken({
        roleArn,
        webIdentityToken: token,
        roleSessionName: ROLE_SESSION_NAME,
        durationSeconds: options.durationSeconds,
        roleAssumerWithWebIdentity: options.roleAssumer,
        clientConfig: { region },
      })();
    } catch (error) {
      throw new AwsCredentialError(
        `AWS STS AssumeRoleWithWebIdentity for role ${roleArn} with an Entra ID token for audience ${audience} ` +
          `failed: ${redactedReason(error, [token])}; ${describeClaimsForTrustPolicy(webIdentityClaims(token), roleArn)} ` +
          '(see docs/aws-access.md, "When it fails")',
      );
    }
  };

  // `forceRefresh` (passed on by the AWS SDK's memoized provider): a new exchange even if the cached credentials
  // are still fresh, for a caller that needs them to last longer (a presigned URL, src/lake/copy-to-lake.ts).
  return async (options?: Parameters<AwsCredentialProvider>[0] & { forceRefresh?: boolean }) => {
    if (!options?.forceRefresh && fresh(cached)) return cached;
    pending ??= exchange().finally(() => {
      pending = undefined;
    });
    cached = await pending;
    return cached;
  };
}

/** The provider for these settings, or `undefined` for the AWS SDK's default chain. */
export function awsCredentialsFor(
  settings: AwsCredentialSettings,
  options: AwsCredentialOptions = {},
): AwsCredentialProvider | undefined {
  if (awsCredentialMode(settings) === 'default-chain') return undefined;
  if (!options.tokenSource)
    throw new AwsCredentialError('AWS_ROLE_ARN is set but no Azure credential was given to get the web identity token');
  return webIdentityCredentials(
    settings.awsRoleArn as string,
    settings.awsWebIdentityAudience || DEFAULT_WEB_IDENTITY_AUDIENCE,
    settings.awsRegion,
    { ...options, tokenSource: options.tokenSource },
  );
}
