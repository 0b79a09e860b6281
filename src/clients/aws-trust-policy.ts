/**
 * The AWS side of the web identity federation, in one place: the issuer of the app's Entra ID token, the IAM OIDC
 * identity provider that names it, and the role trust policy that accepts exactly that token.
 * docs/aws-access.md shows `trustPolicyFor`'s output; the unit tests check that the policy accepts a token of the
 * documented shape and that the docs and infra/main.bicep give the same issuer.
 *
 * - `iss`: a managed identity's token for `api://AzureADTokenExchange` is issued by
 *   `https://login.microsoftonline.com/<tenant-id>/v2.0` (Microsoft: "Configure an application to trust a managed
 *   identity"), not the v1 issuer `https://sts.windows.net/<tenant-id>/`.
 * - `aud`: `api://AzureADTokenExchange` (same page).
 * - `sub`: the managed identity's object (principal) id (same page).
 * - AWS: the IAM OIDC provider URL is the token's `iss`; the provider's ARN and the trust policy's condition keys
 *   use that URL without `https://` (`<provider>:aud`, `<provider>:sub`).
 */

export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface TrustPolicyInput {
  /** The Entra ID tenant of the managed identity (`AZURE_TENANT_ID`). */
  tenantId: string;
  /** The managed identity's object (principal) id (`MANAGED_IDENTITY_PRINCIPAL_ID`): the token's `sub`. */
  principalId: string;
  /** The token's `aud`; default `api://AzureADTokenExchange`. */
  roleAudience?: string;
  /** The AWS account that holds the IAM OIDC identity provider; a placeholder when not given. */
  awsAccountId?: string;
  /** The issuer to trust; default the v2.0 issuer of `tenantId` (`webIdentityIssuer`). */
  issuer?: string;
}

export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: Array<{
    Effect: 'Allow';
    Principal: { Federated: string };
    Action: 'sts:AssumeRoleWithWebIdentity';
    Condition: { StringEquals: Record<string, string> };
  }>;
}

/** `https://login.microsoftonline.com/<tenant-id>/v2.0`: the `iss` of the managed identity's token, no trailing `/`. */
export function webIdentityIssuer(tenantId: string): string {
  return `https://login.microsoftonline.com/${tenantId}/v2.0`;
}

/** The IAM name of an OIDC provider: its URL without `https://` (used in its ARN and in condition keys). */
export function oidcProviderId(issuer: string): string {
  return issuer.replace(/^https:\/\//, '');
}

/** `arn:aws:iam::<account>:oidc-provider/<provider>`. */
export function oidcProviderArn(issuer: string, awsAccountId = '<aws-account-id>'): string {
  return `arn:aws:iam::${awsAccountId}:oidc-provider/${oidcProviderId(issuer)}`;
}

/**
 * The role's trust policy: tokens from this tenant's issuer, for this audience, about this managed identity only.
 * The `sub` condition is what keeps every other identity of the tenant out.
 */
export function trustPolicyFor(input: TrustPolicyInput): TrustPolicy {
  const issuer = input.issuer ?? webIdentityIssuer(input.tenantId);
  const provider = oidcProviderId(issuer);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: oidcProviderArn(issuer, input.awsAccountId) },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${provider}:aud`]: input.roleAudience ?? TOKEN_EXCHANGE_AUDIENCE,
            [`${provider}:sub`]: input.principalId,
          },
        },
      },
    ],
  };
}
