import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AwsCredentialError,
  awsCredentialsFor,
  RoleAssumer,
  TokenSource,
  webIdentityClaims,
} from '../../../src/clients/aws-credentials';
import {
  oidcProviderArn,
  oidcProviderId,
  TOKEN_EXCHANGE_AUDIENCE,
  TrustPolicy,
  trustPolicyFor,
  webIdentityIssuer,
} from '../../../src/clients/aws-trust-policy';

const ROOT = join(__dirname, '..', '..', '..');
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PRINCIPAL = 'a7d388c3-5e3f-4959-ac7d-786b3383006a'; // the managed identity's object (principal) id
const CLIENT_ID = '00001111-aaaa-2222-bbbb-3333cccc4444'; // its client id: never the sub
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ddb-to-cosmos-export-reader`;
const FAKE_SIGNATURE = 'ZmFrZS1zaWduYXR1cmUtbm90LWEtcmVhbC1vbmU';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * An unsigned test JWT shaped like the token a user-assigned managed identity gets for api://AzureADTokenExchange
 * (docs/aws-access.md, "The token's claims"): v2.0 issuer, that audience, sub = the identity's principal id.
 */
function managedIdentityToken(overrides: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.UTC(2025, 0, 1) / 1000);
  const header = { typ: 'JWT', alg: 'RS256', kid: 'test-key' };
  const payload = {
    aud: TOKEN_EXCHANGE_AUDIENCE,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    azp: CLIENT_ID,
    oid: PRINCIPAL,
    sub: PRINCIPAL,
    tid: TENANT,
    ver: '2.0',
    ...overrides,
  };
  return `${base64url(header)}.${base64url(payload)}.${FAKE_SIGNATURE}`;
}

/** IAM's evaluation of a trust policy's `StringEquals` for AssumeRoleWithWebIdentity, enough for these tests. */
function accepts(policy: TrustPolicy, claims: { iss?: string; aud?: string; sub?: string }, account = ACCOUNT) {
  if (!claims.iss) return false;
  const provider = oidcProviderId(claims.iss);
  const context: Record<string, string | undefined> = {
    [`${provider}:aud`]: claims.aud,
    [`${provider}:sub`]: claims.sub,
  };
  return policy.Statement.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      statement.Action === 'sts:AssumeRoleWithWebIdentity' &&
      statement.Principal.Federated === oidcProviderArn(claims.iss as string, account) &&
      Object.keys(statement.Condition).every((operator) => operator === 'StringEquals') &&
      Object.entries(statement.Condition.StringEquals).every(([key, value]) => context[key] === value),
  );
}

function failingExchange(token: string) {
  const source: TokenSource = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
  const denied: RoleAssumer = async (params) => {
    const error = new Error(`Not authorized to perform sts:AssumeRoleWithWebIdentity (${params.WebIdentityToken})`);
    error.name = 'AccessDenied';
    throw error;
  };
  return awsCredentialsFor({ awsRegion: 'eu-west-1', awsRoleArn: ROLE }, { tokenSource: source, roleAssumer: denied })!;
}

describe('the managed identity token and the trust policy the docs give', () => {
  test("the token's claims are read from its payload without verifying it", () => {
    expect(webIdentityClaims(managedIdentityToken())).toEqual({
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      aud: TOKEN_EXCHANGE_AUDIENCE,
      sub: PRINCIPAL,
    });
    expect(webIdentityClaims('not a token')).toEqual({});
    expect(webIdentityClaims('a.%%%.c')).toEqual({});
    expect(webIdentityClaims(`x.${Buffer.from('[1]').toString('base64url')}.y`)).toEqual({});
    expect(webIdentityClaims(managedIdentityToken({ aud: ['a', 'b'], sub: 42 }))).toMatchObject({
      aud: 'a,b',
      sub: undefined,
    });
  });

  test('the issuer is the v2.0 one, and the IAM provider names are that URL without https://', () => {
    expect(webIdentityIssuer(TENANT)).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(oidcProviderId(webIdentityIssuer(TENANT))).toBe(`login.microsoftonline.com/${TENANT}/v2.0`);
    expect(oidcProviderArn(webIdentityIssuer(TENANT), ACCOUNT)).toBe(
      `arn:aws:iam::${ACCOUNT}:oidc-provider/login.microsoftonline.com/${TENANT}/v2.0`,
    );
  });

  test('the trust policy accepts a token of the documented shape', () => {
    const policy = trustPolicyFor({ tenantId: TENANT, principalId: PRINCIPAL, awsAccountId: ACCOUNT });
    expect(accepts(policy, webIdentityClaims(managedIdentityToken()))).toBe(true);
  });

  test('and refuses any other issuer, audience or subject', () => {
    const policy = trustPolicyFor({ tenantId: TENANT, principalId: PRINCIPAL, awsAccountId: ACCOUNT });
    for (const overrides of [
      { iss: `https://sts.windows.net/${TENANT}/` }, // the v1.0 issuer: another provider
      { iss: `https://login.microsoftonline.com/${TENANT}/v2.0/` },
      { iss: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0' },
      { aud: 'api://other' },
      { sub: CLIENT_ID }, // the client id is not the sub
      { sub: 'b7d388c3-5e3f-4959-ac7d-786b3383006a' }, // another identity of the tenant
      { sub: undefined },
    ]) {
      expect(accepts(policy, webIdentityClaims(managedIdentityToken(overrides)))).toBe(false);
    }
  });

  test('a custom audience goes into the aud condition', () => {
    const policy = trustPolicyFor({ tenantId: TENANT, principalId: PRINCIPAL, roleAudience: CLIENT_ID });
    expect(accepts(policy, webIdentityClaims(managedIdentityToken({ aud: CLIENT_ID })), '<aws-account-id>')).toBe(true);
  });

  test('a refused exchange names iss, aud, sub and the role, and the policy that would accept the token', async () => {
    const token = managedIdentityToken();
    const error = await failingExchange(token)().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(AwsCredentialError);
    const message = error!.message;
    expect(message).toContain(ROLE);
    expect(message).toContain('AccessDenied');
    expect(message).toContain(`iss="https://login.microsoftonline.com/${TENANT}/v2.0"`);
    expect(message).toContain(`aud="${TOKEN_EXCHANGE_AUDIENCE}"`);
    expect(message).toContain(`sub="${PRINCIPAL}"`);
    expect(message).toContain(`oidc-provider/login.microsoftonline.com/${TENANT}/v2.0`);
    expect(message).toContain(`login.microsoftonline.com/${TENANT}/v2.0:sub="${PRINCIPAL}"`);
    // the policy the message describes is the one trustPolicyFor gives for these claims
    const policy = trustPolicyFor({ tenantId: TENANT, principalId: PRINCIPAL, awsAccountId: ACCOUNT });
    expect(message).toContain(policy.Statement[0].Principal.Federated);
    for (const [key, value] of Object.entries(policy.Statement[0].Condition.StringEquals)) {
      expect(message).toContain(`${key}=${JSON.stringify(value)}`);
    }
    // never the token, its payload or its signature
    const [header, payload, signature] = token.split('.');
    for (const secret of [token, header, payload, signature]) expect(message).not.toContain(secret);
    expect(message).not.toMatch(/eyJ/);
    expect(JSON.stringify(error) + String(error!.stack)).not.toContain(signature);
  });

  test('claims are shown bounded and printable, and nothing token-shaped passes through them', async () => {
    const nested = managedIdentityToken();
    const token = managedIdentityToken({ sub: `${nested}\n`, aud: 'x'.repeat(1000) });
    const message = await failingExchange(token)().then(
      () => '',
      (e: unknown) => (e as Error).message,
    );
    expect(message).not.toMatch(/eyJ/);
    expect(message).not.toContain('\n');
    expect(message).not.toContain('x'.repeat(201));
  });
});

describe('docs, Bicep outputs and code give the same claims', () => {
  const docs = readFileSync(join(ROOT, 'docs', 'aws-access.md'), 'utf8');
  const bicep = readFileSync(join(ROOT, 'infra', 'main.bicep'), 'utf8');

  test("the trust policy in docs/aws-access.md is trustPolicyFor's output", () => {
    const section = docs.slice(docs.indexOf("## 2. The role's trust policy"));
    const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(json).toBeDefined();
    expect(JSON.parse(json as string)).toEqual(
      trustPolicyFor({ tenantId: '<tenant-id>', principalId: '<MANAGED_IDENTITY_PRINCIPAL_ID>' }),
    );
  });

  test('the docs name the v2.0 issuer as the provider URL, never the v1.0 one as what to configure', () => {
    expect(docs).toContain('--url "https://login.microsoftonline.com/<tenant-id>/v2.0"');
    expect(docs).toMatch(/\| `AWS_WEB_IDENTITY_ISSUER` \| `https:\/\/login\.microsoftonline\.com\/<tenant-id>\/v2\.0`/);
    expect(docs).not.toContain('--url "https://sts.windows.net');
    expect(docs).not.toContain('oidc-provider/sts.windows.net');
  });

  test('the Bicep output AWS_WEB_IDENTITY_ISSUER is the v2.0 issuer of the tenant', () => {
    const output = /^output AWS_WEB_IDENTITY_ISSUER string = (.*)$/m.exec(bicep)?.[1];
    expect(output).toBe("'${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'");
    // loginEndpoint is https://login.microsoftonline.com/ in Azure's public cloud
    const evaluated = (output as string)
      .slice(1, -1)
      .replace('${environment().authentication.loginEndpoint}', 'https://login.microsoftonline.com/')
      .replace('${tenant().tenantId}', TENANT);
    expect(evaluated).toBe(webIdentityIssuer(TENANT));
    expect(bicep).toMatch(/^output MANAGED_IDENTITY_PRINCIPAL_ID string = identity\.outputs\.principalId$/m);
    expect(bicep).toMatch(/^output AWS_WEB_IDENTITY_AUDIENCE string = awsWebIdentityAudience$/m);
  });
});
