import {
  AwsCredentialError,
  awsCredentialMode,
  awsCredentialsFor,
  DEFAULT_WEB_IDENTITY_AUDIENCE,
  REFRESH_MARGIN_MS,
  redactedReason,
  RoleAssumer,
  ROLE_SESSION_NAME,
  scopeForAudience,
  TokenSource,
} from '../../../src/clients/aws-credentials';
import { createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';

const ROLE = 'arn:aws:iam::123456789012:role/ddb-export-reader';
// Shaped like a JWT so that the pattern-based redaction is exercised as well as the exact-value one.
const tokenNumber = (n: number) => `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtaS0${n}In0.c2lnbmF0dXJl${n}`;

function fakeTokenSource() {
  const scopes: Array<string | string[]> = [];
  let issued = 0;
  const source: TokenSource = {
    async getToken(scope) {
      scopes.push(scope);
      issued += 1;
      return { token: tokenNumber(issued), expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
  return { source, scopes, issued: () => issued };
}

function fakeSts(clock: { now: number }, lifetimeMs = 3600_000) {
  const calls: Array<Parameters<RoleAssumer>[0]> = [];
  const assumer: RoleAssumer = async (params) => {
    calls.push(params);
    return {
      accessKeyId: `ASIA${calls.length}`,
      secretAccessKey: `secret-${calls.length}`,
      sessionToken: `session-${calls.length}`,
      expiration: new Date(clock.now + lifetimeMs),
    };
  };
  return { assumer, calls };
}

describe('which AWS credential provider is used', () => {
  test('no role ARN: the AWS SDK default chain (static keys from Key Vault references included)', () => {
    expect(awsCredentialMode({ awsRegion: 'eu-west-1' })).toBe('default-chain');
    expect(awsCredentialsFor({ awsRegion: 'eu-west-1' })).toBeUndefined();
    expect(awsCredentialsFor({ awsRegion: 'eu-west-1', awsWebIdentityAudience: 'api://x' })).toBeUndefined();
  });

  test('a role ARN: web identity federation with the Azure credential', () => {
    const { source } = fakeTokenSource();
    expect(awsCredentialMode({ awsRegion: 'eu-west-1', awsRoleArn: ROLE })).toBe('web-identity');
    expect(typeof awsCredentialsFor({ awsRegion: 'eu-west-1', awsRoleArn: ROLE }, { tokenSource: source })).toBe(
      'function',
    );
  });

  test('a role ARN without an Azure credential is a configuration error', () => {
    expect(() => awsCredentialsFor({ awsRegion: 'eu-west-1', awsRoleArn: ROLE })).toThrow(AwsCredentialError);
  });

  test('app settings map to the credential settings', () => {
    const base = {
      COSMOS_ENDPOINT: 'https://c.documents.azure.com:443/',
      LAKE_ACCOUNT_URL: 'https://l.blob.core.windows.net',
    };
    expect(readSettings(base)).toMatchObject({ awsRoleArn: undefined, awsWebIdentityAudience: undefined });
    expect(readSettings({ ...base, AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_AUDIENCE: 'api://custom' })).toMatchObject({
      awsRoleArn: ROLE,
      awsWebIdentityAudience: 'api://custom',
    });
  });

  test('createS3Client builds a client in both modes without contacting anything', () => {
    const base = {
      COSMOS_ENDPOINT: 'https://c.documents.azure.com:443/',
      LAKE_ACCOUNT_URL: 'https://l.blob.core.windows.net',
    };
    expect(createS3Client(readSettings(base))).toBeDefined();
    expect(createS3Client(readSettings({ ...base, AWS_ROLE_ARN: ROLE }))).toBeDefined();
  });
});

describe('web identity credentials', () => {
  test('the token is requested for the configured audience, the default one otherwise', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    for (const [audience, scope] of [
      [undefined, `${DEFAULT_WEB_IDENTITY_AUDIENCE}/.default`],
      ['api://ddb-to-cosmos-aws', 'api://ddb-to-cosmos-aws/.default'],
    ] as const) {
      const tokens = fakeTokenSource();
      const sts = fakeSts(clock);
      const provider = awsCredentialsFor(
        { awsRegion: 'eu-west-1', awsRoleArn: ROLE, awsWebIdentityAudience: audience },
        { tokenSource: tokens.source, roleAssumer: sts.assumer, now: () => clock.now },
      );
      await provider!();
      expect(tokens.scopes).toEqual([scope]);
    }
  });

  test('scopes are formed once', () => {
    expect(scopeForAudience('api://AzureADTokenExchange')).toBe('api://AzureADTokenExchange/.default');
    expect(scopeForAudience('api://AzureADTokenExchange/')).toBe('api://AzureADTokenExchange/.default');
    expect(scopeForAudience('api://x/.default')).toBe('api://x/.default');
  });

  test('the fresh token is exchanged for the role and the result is kept until shortly before it expires', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    const tokens = fakeTokenSource();
    const sts = fakeSts(clock);
    const provider = awsCredentialsFor(
      { awsRegion: 'eu-west-1', awsRoleArn: ROLE },
      { tokenSource: tokens.source, roleAssumer: sts.assumer, now: () => clock.now },
    )!;

    const first = await provider();
    expect(first.accessKeyId).toBe('ASIA1');
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]).toMatchObject({
      RoleArn: ROLE,
      RoleSessionName: ROLE_SESSION_NAME,
      WebIdentityToken: tokenNumber(1),
    });

    clock.now += 3600_000 - REFRESH_MARGIN_MS - 1000;
    expect((await provider()).accessKeyId).toBe('ASIA1');
    expect(tokens.issued()).toBe(1);

    clock.now += 2000; // inside the refresh margin: a new token, a new exchange
    const renewed = await provider();
    expect(renewed.accessKeyId).toBe('ASIA2');
    expect(sts.calls[1].WebIdentityToken).toBe(tokenNumber(2));
  });

  test('concurrent callers share one exchange', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    const tokens = fakeTokenSource();
    const sts = fakeSts(clock);
    const provider = awsCredentialsFor(
      { awsRegion: 'eu-west-1', awsRoleArn: ROLE },
      { tokenSource: tokens.source, roleAssumer: sts.assumer, now: () => clock.now },
    )!;
    const all = await Promise.all([provider(), provider(), provider()]);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIA1']));
    expect(sts.calls).toHaveLength(1);
  });

  test('a failed exchange is retried on the next call', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    const tokens = fakeTokenSource();
    const sts = fakeSts(clock);
    let fail = true;
    const flaky: RoleAssumer = async (params) => {
      if (fail) {
        fail = false;
        throw new Error('throttled');
      }
      return sts.assumer(params);
    };
    const provider = awsCredentialsFor(
      { awsRegion: 'eu-west-1', awsRoleArn: ROLE },
      { tokenSource: tokens.source, roleAssumer: flaky, now: () => clock.now },
    )!;
    await expect(provider()).rejects.toThrow(/throttled/);
    expect((await provider()).accessKeyId).toBe('ASIA1');
  });
});

describe('no secret in an error message', () => {
  test('an STS error that echoes the token names the role and audience but not the token', async () => {
    const clock = { now: Date.UTC(2025, 0, 1) };
    const tokens = fakeTokenSource();
    const echoing: RoleAssumer = async (params) => {
      const error = new Error(
        `InvalidIdentityToken: token ${params.WebIdentityToken} is not valid\nrequest: ${params.WebIdentityToken}`,
      );
      error.name = 'InvalidIdentityTokenException';
      throw error;
    };
    const provider = awsCredentialsFor(
      { awsRegion: 'eu-west-1', awsRoleArn: ROLE, awsWebIdentityAudience: 'api://aud' },
      { tokenSource: tokens.source, roleAssumer: echoing, now: () => clock.now },
    )!;
    const error = await provider().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(AwsCredentialError);
    expect(error!.message).toContain(ROLE);
    expect(error!.message).toContain('api://aud');
    expect(error!.message).toContain('InvalidIdentityTokenException');
    expect(error!.message).not.toContain(tokenNumber(1));
    expect(error!.message).not.toMatch(/eyJ/);
    expect((error as Error & { cause?: unknown }).cause).toBeUndefined();
    expect(JSON.stringify(error) + String(error!.stack)).not.toContain(tokenNumber(1));
  });

  test('a token failure does not carry the Azure error object either', async () => {
    const failing: TokenSource = {
      async getToken() {
        throw new Error(`ManagedIdentityCredential: bad response ${tokenNumber(9)}`);
      },
    };
    const provider = awsCredentialsFor({ awsRegion: 'eu-west-1', awsRoleArn: ROLE }, { tokenSource: failing })!;
    await expect(provider()).rejects.toThrow(
      /could not get an Entra ID token for audience api:\/\/AzureADTokenExchange/,
    );
    await expect(provider()).rejects.not.toThrow(/eyJ/);
  });

  test('a missing token is reported without guessing', async () => {
    const empty: TokenSource = { getToken: async () => null };
    const provider = awsCredentialsFor({ awsRegion: 'eu-west-1', awsRoleArn: ROLE }, { tokenSource: empty })!;
    await expect(provider()).rejects.toThrow(/no Entra ID token was returned/);
  });

  test('redaction removes the given secrets and JWT-shaped strings, keeping one line', () => {
    const reason = redactedReason(new Error('key AKIASECRETVALUE and eyJabcd.eyJefgh.sig1 leaked\nsecond line'), [
      'AKIASECRETVALUE',
    ]);
    expect(reason).toBe('Error: key [redacted] and [redacted] leaked');
  });

  test('a long token is removed before the reason is shortened, so no part of it is left', () => {
    const long = `eyJ${'a'.repeat(200)}.eyJ${'b'.repeat(400)}.${'c'.repeat(300)}`;
    const reason = redactedReason(new Error(`denied ${long}`), []);
    expect(reason).toBe('Error: denied [redacted]');
    expect(redactedReason(new Error(`cut ${long.slice(0, 250)}`), [])).toBe('Error: cut [redacted]');
  });
});
