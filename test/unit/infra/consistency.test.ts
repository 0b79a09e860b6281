/**
 * Keeps the code, the Bicep templates and the README in step, and the templates free of secrets.
 *
 * The Bicep compiler cannot run here, so this reads the templates as text: it is deliberately strict about the
 * few conventions the templates follow (app settings live in `var …AppSettings` objects, role assignments in
 * modules/rbac.bicep) and fails with a message that says what to change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseThroughputSetting } from '../../../src/cosmos/throughput';

const ROOT = path.resolve(__dirname, '../../..');
const SOURCE_DIRS = ['src', 'functions', 'activities', 'orchestrators', 'tools'];
const INFRA = path.join(ROOT, 'infra');

/**
 * Settings the code reads that the Azure deployment deliberately does not set. Each is documented in README's
 * "Configuration (app settings)" table. A setting the code reads must be set in the Bicep app settings or be
 * listed here with the reason.
 */
const NOT_SET_BY_INFRA: Record<string, string> = {
  // Local emulators and the local stack only.
  S3_ENDPOINT: 'S3-compatible server for local runs; unset in Azure, where the AWS S3 endpoint is used',
  S3_FORCE_PATH_STYLE: 'only for an S3-compatible server',
  COSMOS_KEY: 'emulator key; the Azure account has key-based auth disabled',
  COSMOS_ALLOW_SELF_SIGNED: 'local Cosmos server only',
  LAKE_CONNECTION: 'Azurite connection string; Azure uses LAKE_ACCOUNT_URL with the managed identity',
  DEVHOST_FUNCTION_KEY: 'the local Functions host only',
  AZURITE_ACCOUNTS: 'the local lake emulator only (Azurite reads it too)',
  // Optional, with a default or an alias that infra sets.
  LOAD_TIME_BUDGET_SECONDS: 'optional, default 540',
  LAKE_COPY_BLOCK_BYTES: 'optional, default 64 MiB',
  AWS_DEFAULT_REGION: 'fallback for AWS_REGION, which infra sets',
  COSMOS_CONNECTION__accountEndpoint: 'fallback for COSMOS_ENDPOINT, which infra sets',
  // Set by the platform (and emulated by the local host).
  WEBSITE_SITE_NAME: 'set by the platform',
  WEBSITE_HOSTNAME: 'set by the platform',
  WEBSITE_TIME_ZONE:
    'optional timer time zone of the local host; Linux plans such as Flex Consumption run timers in UTC',
};

/** App settings Flex Consumption rejects or ignores (the runtime is configured in functionAppConfig). */
const NOT_ALLOWED_ON_FLEX = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTSHARE',
  'AzureWebJobsStorage',
];

const ROLE = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  cosmosBuiltInDataContributor: '00000000-0000-0000-0000-000000000002',
};

function filesUnder(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(full, ext);
    return entry.name.endsWith(ext) ? [full] : [];
  });
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');
const read = (file: string) => fs.readFileSync(file, 'utf8');

/** Setting name → where it is read (file:line). */
function settingsReadByCode(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (name: string, where: string) => found.set(name, [...(found.get(name) ?? []), where]);
  const patterns = [
    /\benv\??\.([A-Za-z_][A-Za-z0-9_]*)/g, // env.X, process.env.X, env?.X
    /\benv\??\.?\[\s*['"`]([A-Za-z_][A-Za-z0-9_.]*)['"`]\s*\]/g, // env['X']
    /['"]%([A-Za-z_][A-Za-z0-9_]*)%['"]/g, // binding expressions such as schedule: '%SYNC_SCHEDULE%'
  ];
  for (const file of SOURCE_DIRS.flatMap((dir) => filesUnder(path.join(ROOT, dir), '.ts'))) {
    read(file)
      .split('\n')
      .forEach((line, index) => {
        if (/^\s*(\/\/|\/\*|\*)/.test(line)) return; // comments name settings as examples
        for (const pattern of patterns) {
          for (const match of line.matchAll(pattern)) add(match[1], `${rel(file)}:${index + 1}`);
        }
      });
  }
  for (const match of read(path.join(ROOT, 'host.json')).matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g))
    add(match[1], 'host.json');
  return found;
}

interface BicepFile {
  file: string;
  text: string;
}
const bicepFiles = (): BicepFile[] =>
  filesUnder(INFRA, '.bicep').map((file) => ({ file: rel(file), text: read(file) }));

/** The text of `var <name> = …` up to the end of its (possibly conditional) object literal. */
function varBlock(text: string, name: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^var ${name}\\s*=`).test(line));
  if (start < 0) return undefined;
  let end = start;
  while (end + 1 < lines.length && /^(\s|\})/.test(lines[end + 1])) end += 1;
  return lines.slice(start, end + 1).join('\n');
}

/** Keys of every `var …AppSettings = { … }` object (both branches of a conditional one), per file. */
function appSettingsInInfra(): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const { file, text } of bicepFiles()) {
    for (const [, name] of text.matchAll(/^var (\w*[aA]ppSettings)\s*=/gm)) {
      const block = varBlock(text, name) as string;
      for (const [, key] of block.matchAll(/^\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s/gm)) {
        settings.set(key, [...(settings.get(key) ?? []), `${file} (${name})`]);
      }
    }
  }
  return settings;
}

/** Backticked names in the first column of README's configuration table. */
function settingsInReadme(): Set<string> {
  const readme = read(path.join(ROOT, 'README.md'));
  const start = readme.indexOf('## Configuration (app settings)');
  expect(start).toBeGreaterThanOrEqual(0);
  const next = readme.indexOf('\n## ', start + 3);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const [, name] of firstCell.matchAll(/`([^`]+)`/g)) names.add(name);
  }
  return names;
}

/** Top-level `resource`/`module` blocks of a Bicep file (up to the next top-level declaration). */
function topLevelBlocks(text: string): Array<{ kind: string; symbol: string; type: string; body: string }> {
  const blocks: Array<{ kind: string; symbol: string; type: string; body: string }> = [];
  const declaration = /^(resource|module) (\w+) '([^']+)'/gm;
  const starts = [...text.matchAll(declaration)];
  for (const match of starts) {
    const rest = text.slice(match.index ?? 0);
    const stop = rest.slice(1).search(/^(resource|module|output|var|param|type|func) /m);
    blocks.push({ kind: match[1], symbol: match[2], type: match[3], body: stop < 0 ? rest : rest.slice(0, stop + 1) });
  }
  return blocks;
}

interface ParamDeclaration {
  name: string;
  type: string;
  secure: boolean;
  hasDefault: boolean;
}

function paramDeclarations(text: string): ParamDeclaration[] {
  const lines = text.split('\n');
  const params: ParamDeclaration[] = [];
  lines.forEach((line, i) => {
    const match = /^param (\w+) (\S+)(\s*=)?/.exec(line);
    if (!match) return;
    let secure = false;
    for (
      let j = i - 1;
      j >= 0 && /^(@|\s|\}|\]|\))/.test(lines[j]) && !/^(param|var|resource|module|output)\b/.test(lines[j]);
      j -= 1
    ) {
      if (/^@secure\(\)/.test(lines[j])) secure = true;
    }
    params.push({ name: match[1], type: match[2], secure, hasDefault: Boolean(match[3]) });
  });
  return params;
}

const codeSettings = settingsReadByCode();
const infraSettings = appSettingsInInfra();
const infraText = () =>
  bicepFiles()
    .map((f) => f.text)
    .join('\n');
const mainBicep = () => read(path.join(INFRA, 'main.bicep'));
const rbacBicep = () => read(path.join(INFRA, 'modules', 'rbac.bicep'));

describe('every app setting the code reads is deployed or documented as optional', () => {
  test('the scan finds the settings it should (guards the scanner itself)', () => {
    for (const name of [
      'COSMOS_ENDPOINT',
      'LAKE_ACCOUNT_URL',
      'AWS_ROLE_ARN',
      'AWS_WEB_IDENTITY_AUDIENCE',
      'DURABLE_TASK_HUB',
    ]) {
      expect([...codeSettings.keys()]).toContain(name);
    }
    for (const name of [
      'AZURE_CLIENT_ID',
      'AzureWebJobsStorage__accountName',
      'COSMOS_ENDPOINT',
      'AWS_ROLE_ARN',
      'AWS_ACCESS_KEY_ID',
    ]) {
      expect([...infraSettings.keys()]).toContain(name);
    }
  });

  test('set in infra/ app settings or listed in NOT_SET_BY_INFRA', () => {
    const missing = [...codeSettings.entries()]
      .filter(([name]) => !infraSettings.has(name) && !(name in NOT_SET_BY_INFRA))
      .map(([name, where]) => `  ${name}  (read at ${where.join(', ')})`);
    if (missing.length > 0) {
      throw new Error(
        `These app settings are read by the code but the Azure deployment does not set them:\n${missing.join('\n')}\n` +
          'Set each in infra/main.bicep (var appSettings, or awsAppSettings) — add a parameter if it varies per ' +
          'deployment — or, if Azure needs no value, add it to NOT_SET_BY_INFRA in test/unit/infra/consistency.test.ts ' +
          'with the reason. Either way add a row to README "Configuration (app settings)".',
      );
    }
  });

  test('NOT_SET_BY_INFRA lists only settings the code still reads and infra does not set', () => {
    const stale = Object.keys(NOT_SET_BY_INFRA).filter((name) => !codeSettings.has(name));
    const setAnyway = Object.keys(NOT_SET_BY_INFRA).filter((name) => infraSettings.has(name));
    expect({ stale, setAnyway }).toEqual({ stale: [], setAnyway: [] });
  });

  test('README documents every setting the code reads, optional ones included', () => {
    const documented = settingsInReadme();
    const undocumented = [...codeSettings.keys()].filter((name) => !documented.has(name));
    expect(undocumented).toEqual([]);
  });

  test('host.json task hub comes from the per-environment DURABLE_TASK_HUB setting', () => {
    const host = JSON.parse(read(path.join(ROOT, 'host.json')));
    expect(host.extensions.durableTask.hubName).toBe('%DURABLE_TASK_HUB%');
    expect(infraSettings.get('DURABLE_TASK_HUB')).toBeDefined();
    expect(mainBicep()).toMatch(/DURABLE_TASK_HUB: taskHubName/);
    expect(mainBicep()).toMatch(/var taskHubName = .*environmentName|ddb\$\{envNameAlphanumeric\}/);
  });
});

describe('no secret in the templates', () => {
  test('no key is listed, embedded or passed in clear', () => {
    const offences: string[] = [];
    for (const { file, text } of bicepFiles()) {
      text.split('\n').forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        const where = `${file}:${i + 1}: ${line.trim()}`;
        if (/list(Keys|ConnectionStrings|AccountSas|ServiceSas)\s*\(/i.test(code)) offences.push(where);
        if (
          /AccountKey=|SharedAccessKey=|SharedAccessSignature=|primaryMasterKey|secondaryMasterKey|primaryKey|secondaryKey/i.test(
            code,
          )
        )
          offences.push(where);
        // The only connection string allowed is Application Insights' (an instrumentation key is an identifier,
        // and the component accepts only Entra ID authenticated telemetry).
        if (
          /connectionstring/i.test(code) &&
          !/APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights\.properties\.ConnectionString/.test(code)
        ) {
          offences.push(where);
        }
      });
    }
    expect(offences).toEqual([]);
  });

  test('parameters that can hold secrets are @secure() and never output', () => {
    const sensitive = /(secret|password|accesskey|apikey|masterkey|connectionstring|sas|token)/i;
    const problems: string[] = [];
    for (const { file, text } of bicepFiles()) {
      const params = paramDeclarations(text);
      for (const param of params.filter(
        (p) => sensitive.test(p.name) && !['bool', 'int'].includes(p.type) && !p.secure,
      ))
        problems.push(`${file}: param ${param.name} is not @secure()`);
      const secureNames = params.filter((p) => p.secure).map((p) => p.name);
      for (const line of text.split('\n').filter((l) => l.startsWith('output '))) {
        for (const name of secureNames)
          if (new RegExp(`\\b${name}\\b`).test(line)) problems.push(`${file}: output uses secure param ${name}`);
        if (/^output \w*(secret|password|key)\w* /i.test(line) && !/KEY_VAULT_NAME/.test(line))
          problems.push(`${file}: ${line}`);
      }
    }
    expect(problems).toEqual([]);
    expect(
      paramDeclarations(mainBicep())
        .filter((p) => p.secure)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['awsAccessKeyId', 'awsSecretAccessKey']);
  });

  test('main.parameters.json maps no secret from the environment', () => {
    const parameters = JSON.parse(read(path.join(INFRA, 'main.parameters.json'))).parameters as Record<string, unknown>;
    expect(Object.keys(parameters)).not.toContain('awsAccessKeyId');
    expect(Object.keys(parameters)).not.toContain('awsSecretAccessKey');
  });

  test('Key Vault references are used only in static-keys mode', () => {
    const text = mainBicep();
    const block = varBlock(text, 'awsAppSettings') ?? '';
    expect(block).toMatch(/^var awsAppSettings = awsAuthMode == 'staticKeys' \? \{/);
    const [staticBranch, webIdentityBranch] = block.split(/\n\} : \{\n/);
    expect(staticBranch).toMatch(
      /AWS_ACCESS_KEY_ID: '@Microsoft\.KeyVault\(SecretUri=\$\{keyVault\.outputs\.vaultUri\}secrets\/[a-z-]+\)'/,
    );
    expect(staticBranch).toMatch(/AWS_SECRET_ACCESS_KEY: '@Microsoft\.KeyVault\(SecretUri=/);
    expect(webIdentityBranch).toMatch(/AWS_ROLE_ARN: awsRoleArn/);
    expect(webIdentityBranch).not.toMatch(/KeyVault/);
    const references = infraText().match(/@Microsoft\.KeyVault\(/g) ?? [];
    expect(references).toHaveLength(2);
    expect(read(path.join(INFRA, 'modules', 'key-vault.bicep'))).toMatch(/enableRbacAuthorization: true/);
    expect(read(path.join(INFRA, 'modules', 'function-app.bicep'))).toMatch(/keyVaultReferenceIdentity: identityId/);
  });
});

describe('least privilege and identity-based access', () => {
  test('Cosmos DB has key-based auth disabled', () => {
    const cosmos = read(path.join(INFRA, 'modules', 'cosmos.bicep'));
    expect(cosmos).toMatch(/disableLocalAuth: true/);
    expect(cosmos).not.toMatch(/disableLocalAuth: false/);
    expect(cosmos).toMatch(/EnableServerless/);
    expect(cosmos).toMatch(/autoscaleSettings/);
  });

  test('the lake has a hierarchical namespace and the lake container; storage accepts Entra ID only', () => {
    const lake = topLevelBlocks(mainBicep()).find((b) => b.kind === 'module' && b.symbol === 'lake');
    expect(lake?.body).toMatch(/isHnsEnabled: true/);
    expect(lake?.body).toMatch(/lakeContainerName/);
    expect(mainBicep()).toMatch(/var lakeContainerName = 'lake'/);
    const storage = read(path.join(INFRA, 'modules', 'storage-account.bicep'));
    expect(storage).toMatch(/isHnsEnabled: isHnsEnabled/);
    expect(storage).toMatch(/allowSharedKeyAccess: false/);
    expect(storage).toMatch(/allowBlobPublicAccess: false/);
    expect(read(path.join(INFRA, 'modules', 'monitoring.bicep'))).toMatch(/DisableLocalAuth: true/);
  });

  test('the managed identity gets exactly the data roles it needs, each on its resource', () => {
    const blocks = topLevelBlocks(rbacBicep());
    const roleVars = Object.fromEntries(
      [...rbacBicep().matchAll(/^\s+(\w+): '([0-9a-f-]{36})'/gm)].map((m) => [m[1], m[2]]),
    );
    const cosmosVars = Object.fromEntries(
      [...rbacBicep().matchAll(/^var (\w+) = '([0-9a-f-]{36})'/gm)].map((m) => [m[1], m[2]]),
    );
    const assignments = blocks
      .filter((b) => /principalId: principalId\b/.test(b.body))
      .map((b) => {
        const azureRole = /roleDefinitions', roles\.(\w+)\)/.exec(b.body)?.[1];
        const cosmosRole = /sqlRoleDefinitions\/\$\{(\w+)\}/.exec(b.body)?.[1];
        const scope = /^\s+scope: (\w+)/m.exec(b.body)?.[1] ?? /^\s+parent: (\w+)/m.exec(b.body)?.[1];
        return `${azureRole ? roleVars[azureRole] : cosmosVars[cosmosRole as string]} on ${scope}`;
      })
      .sort();
    expect(assignments).toEqual(
      [
        `${ROLE.storageBlobDataOwner} on hostStorage`,
        `${ROLE.storageQueueDataContributor} on hostStorage`,
        `${ROLE.storageTableDataContributor} on hostStorage`,
        `${ROLE.storageBlobDataContributor} on lake`,
        `${ROLE.cosmosBuiltInDataContributor} on cosmos`,
        `${ROLE.keyVaultSecretsUser} on vault`,
        `${ROLE.monitoringMetricsPublisher} on applicationInsights`,
      ].sort(),
    );
    const cosmosAssignment = blocks.find((b) => b.body.includes('cosmosBuiltInDataContributor}'));
    expect(cosmosAssignment?.type).toMatch(/^Microsoft\.DocumentDB\/databaseAccounts\/sqlRoleAssignments@/);
    expect(cosmosAssignment?.body).toMatch(/scope: cosmos\.id/);
    expect(rbacBicep()).not.toMatch(/'(8e3af657-a8ff-443c-a75c-2fe8c4bcb635|b24988ac-6180-42a0-ab88-20f7382dd24c)'/); // Owner, Contributor
  });

  test('the Functions host uses identity-based storage, the user-assigned identity and Flex Consumption', () => {
    const app = read(path.join(INFRA, 'modules', 'function-app.bicep'));
    expect(app).toMatch(/AzureWebJobsStorage__accountName: hostStorage\.name/);
    expect(app).toMatch(/AzureWebJobsStorage__credential: 'managedidentity'/);
    expect(app).toMatch(/AzureWebJobsStorage__clientId: identityClientId/);
    expect(app).toMatch(/AZURE_CLIENT_ID: identityClientId/);
    expect(app).toMatch(
      /APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=\$\{identityClientId\};Authorization=AAD'/,
    );
    expect(app).toMatch(/tier: 'FlexConsumption'/);
    expect(app).toMatch(/type: 'blobContainer'/);
    expect(app).toMatch(/type: 'UserAssignedIdentity'/);
    expect(app).toMatch(/name: 'node'/);
    // The Node.js version itself: sizing.test.ts (a supported LTS the plan runs).
    expect(mainBicep()).toMatch(/runtimeVersion: '\d+'/);
    expect(app).toMatch(/'azd-service-name': 'api'/);
    const flexForbidden = NOT_ALLOWED_ON_FLEX.filter((name) => infraSettings.has(name));
    expect(flexForbidden).toEqual([]);
  });
});

describe('the templates hang together (no compiler here)', () => {
  test('brackets balance and every module path exists', () => {
    for (const { file, text } of bicepFiles()) {
      const code = text.replace(/\/\/.*$/gm, '').replace(/'(?:\\'|[^'])*'/g, "''");
      const count = (c: string) => code.split(c).length - 1;
      expect({
        file,
        braces: count('{') - count('}'),
        brackets: count('[') - count(']'),
        parens: count('(') - count(')'),
      }).toEqual({
        file,
        braces: 0,
        brackets: 0,
        parens: 0,
      });
      for (const [, modulePath] of text.matchAll(/^module \w+ '([^']+\.bicep)'/gm)) {
        expect(fs.existsSync(path.join(INFRA, path.dirname(path.relative('infra', file)), modulePath))).toBe(true);
      }
    }
  });

  test('main.parameters.json matches main.bicep parameters', () => {
    const declared = paramDeclarations(mainBicep());
    const names = declared.map((p) => p.name);
    const given = Object.keys(JSON.parse(read(path.join(INFRA, 'main.parameters.json'))).parameters);
    expect(given.filter((name) => !names.includes(name))).toEqual([]);
    expect(declared.filter((p) => !p.hasDefault && !given.includes(p.name)).map((p) => p.name)).toEqual([]);
  });

  test('module parameters passed from main.bicep exist in the modules', () => {
    const problems: string[] = [];
    for (const block of topLevelBlocks(mainBicep()).filter((b) => b.kind === 'module')) {
      const moduleText = read(path.join(INFRA, block.type));
      const declared = new Set(paramDeclarations(moduleText).map((p) => p.name));
      const paramsBody = /params: \{([\s\S]*)\n {2}\}/.exec(block.body)?.[1] ?? '';
      for (const [, name] of paramsBody.matchAll(/^ {4}(\w+):/gm))
        if (!declared.has(name)) problems.push(`${block.type}: no param ${name}`);
      for (const p of paramDeclarations(moduleText).filter((q) => !q.hasDefault)) {
        if (!new RegExp(`^ {4}${p.name}:`, 'm').test(paramsBody))
          problems.push(`${block.type}: required param ${p.name} not passed`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('azure.yaml deploys this folder as a function app', () => {
    const yaml = read(path.join(ROOT, 'azure.yaml'));
    expect(yaml).toMatch(/^\s+host: function$/m);
    expect(yaml).toMatch(/^\s+language: ts$/m);
    expect(yaml).toMatch(/^\s+project: \.$/m);
  });
});

describe('the default RU cap holds in Azure (src/cosmos/throughput.ts)', () => {
  // With key auth disabled the app's identity cannot read throughput offers (403, substatus 5300), so the cap's
  // source is COSMOS_THROUGHPUT, written from the parameters that provision the throughput.
  const cosmosBicep = () => read(path.join(INFRA, 'modules', 'cosmos.bicep'));

  test('main.bicep sets COSMOS_THROUGHPUT from the Cosmos module', () => {
    expect(varBlock(mainBicep(), 'appSettings')).toMatch(/^\s+COSMOS_THROUGHPUT: cosmos\.outputs\.throughputSetting$/m);
    const cosmosModule = topLevelBlocks(mainBicep()).find((b) => b.kind === 'module' && b.symbol === 'cosmos');
    expect(cosmosModule?.body).toMatch(/capacityMode: cosmosCapacityMode/);
    expect(cosmosModule?.body).toMatch(/autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput/);
  });

  test('the module writes it from the same parameters as the database, in a form the app reads', () => {
    const output = /^output throughputSetting string = (.*)$/m.exec(cosmosBicep())?.[1];
    expect(output).toBe(
      "capacityMode == 'serverless' ? '*=serverless' : '${databaseName}=autoscale:${autoscaleMaxThroughput}'",
    );
    expect(cosmosBicep()).toMatch(/maxThroughput: autoscaleMaxThroughput/);
    // Both branches, with the default parameters, as the app parses them.
    const branches = /'([^']*)' : '([^']*)'$/.exec(output as string) as RegExpExecArray;
    const provisioned = branches[2].replace('${databaseName}', 'app').replace('${autoscaleMaxThroughput}', '4000');
    expect(parseThroughputSetting(branches[1])).toMatchObject([{ throughput: { kind: 'serverless' } }]);
    expect(parseThroughputSetting(provisioned)).toMatchObject([
      { database: 'app', throughput: { kind: 'autoscale', scope: 'database', maxRequestUnitsPerSecond: 4000 } },
    ]);
  });

  test('no control-plane role is needed for it', () => {
    expect(rbacBicep()).not.toMatch(/fbdf93bf-df7d-467e-a4d2-9458aa1360c8|acdd72a7-3385-48ef-bd42-f606fba81ae7/); // Cosmos DB Account Reader, Reader
  });
});
