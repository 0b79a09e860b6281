// ddb-to-cosmos on Azure: `azd up` provisions this and deploys the app (azure.yaml).
//
// Layout and conventions (subscription scope creating the resource group, azd parameters and tags, a
// user-assigned identity for the app, Flex Consumption functionAppConfig with an identity-authenticated
// deployment container, identity-based AzureWebJobsStorage, Entra ID authenticated Application Insights, one
// consolidated RBAC module) follow Azure's own Flex Consumption samples:
//   Azure-Samples/functions-quickstart-typescript-azd          (TypeScript, azd, Flex Consumption)
//   Azure-Samples/durable-functions-quickstart-typescript-azd  (Durable Functions on Flex Consumption; queue and
//                                                               table roles for the Azure Storage backend)
//   Azure-Samples/azure-functions-flex-consumption-samples     (IaC/: plain resource API versions and properties)
// Unlike those, resources are declared directly (no registry modules) so the templates can be read top to
// bottom and validated offline with `az bicep build --file infra/main.bicep`.
//
// What the app needs is in test/unit/infra/consistency.test.ts: every app setting the code reads is set here
// (appSettings, awsAppSettings, modules/function-app.bicep hostAppSettings) or is listed there as optional.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; part of every resource name and of the Durable task hub name.')
param environmentName string

@minLength(1)
@description('Region of all resources; it must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name; default rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the deploying user (azd sets AZURE_PRINCIPAL_ID): read access to lake and Cosmos data, and Key Vault Secrets Officer with static AWS keys. Empty = none.')
param principalId string = ''

// Cosmos DB
@allowed([
  'serverless'
  'provisioned'
])
@description('serverless (pay per request) or provisioned (autoscale throughput shared by the database).')
param cosmosCapacityMode string = 'serverless'

@minValue(1000)
@description('Autoscale maximum RU/s of the database in provisioned mode.')
param cosmosAutoscaleMaxThroughput int = 4000

@description('Region of the Cosmos DB account; default the same as the app.')
param cosmosLocation string = location

@description('Database the migrations write to (target.database of a migration request).')
param cosmosDatabaseName string = 'app'

@description('Target containers: [{ "name": "orders", "partitionKeyPaths": ["/pk"] }]. With key-based auth disabled the app cannot create containers itself.')
param cosmosContainers array = []

// AWS
@allowed([
  'webIdentity'
  'staticKeys'
])
@description('webIdentity (recommended): the managed identity assumes awsRoleArn with an Entra ID token, no AWS secret exists. staticKeys: an IAM user\'s keys in Key Vault.')
param awsAuthMode string = 'webIdentity'

@description('IAM role to assume (webIdentity). Empty until the role exists: it trusts the identity created here, see docs/aws-access.md.')
param awsRoleArn string = ''

@description('Audience of the Entra ID token; the IAM OIDC identity provider must list it as client id.')
param awsWebIdentityAudience string = 'api://AzureADTokenExchange'

@description('Region of the export bucket.')
param awsRegion string = 'us-east-1'

@secure()
@description('staticKeys only: AWS access key id, stored in Key Vault. Empty = keep the secret as it is (or set it with az keyvault secret set).')
param awsAccessKeyId string = ''

@secure()
@description('staticKeys only: AWS secret access key, stored in Key Vault. Empty = keep the secret as it is.')
param awsSecretAccessKey string = ''

@description('Comma-separated bucket or bucket/prefix entries the app may read; empty = any bucket the AWS role can read.')
param allowedSources string = ''

@description('NCRONTAB schedule (with seconds) of the table sync timer; default every 15 minutes.')
param syncSchedule string = '0 */15 * * * *'

// Functions
@description('Durable Functions task hub; default ddb<environmentName> (letters and digits).')
param durableTaskHubName string = ''

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

// Sized with host.json's maxConcurrentActivityFunctions so that one instance at its maximum of concurrent loads stays
// under 75% of this (docs/scale.md, "Sizing an instance"; test/unit/infra/sizing.test.ts): change them together.
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var names = {
  resourceGroup: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  identity: 'id-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-${resourceToken}'
  hostStorage: 'st${resourceToken}'
  lake: 'dls${resourceToken}'
  cosmos: 'cosmos-${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  logAnalytics: 'log-${resourceToken}'
  applicationInsights: 'appi-${resourceToken}'
}
var deploymentContainerName = 'app-package-${take(names.functionApp, 32)}-${take(resourceToken, 7)}'
var lakeContainerName = 'lake'
var envNameAlphanumeric = toLower(replace(replace(replace(replace(replace(environmentName, '-', ''), '_', ''), '.', ''), '(', ''), ')', ''))
var taskHubName = !empty(durableTaskHubName) ? durableTaskHubName : take('ddb${envNameAlphanumeric}', 45)

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module hostStorage 'modules/storage-account.bicep' = {
  name: 'hostStorage'
  scope: rg
  params: {
    name: names.hostStorage
    location: location
    tags: tags
    isHnsEnabled: false
    containerNames: [
      deploymentContainerName
    ]
  }
}

module lake 'modules/storage-account.bicep' = {
  name: 'lake'
  scope: rg
  params: {
    name: names.lake
    location: location
    tags: tags
    isHnsEnabled: true
    containerNames: [
      lakeContainerName
    ]
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: names.cosmos
    location: cosmosLocation
    tags: tags
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    databaseName: cosmosDatabaseName
    containers: cosmosContainers
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    awsAccessKeyId: awsAuthMode == 'staticKeys' ? awsAccessKeyId : ''
    awsSecretAccessKey: awsAuthMode == 'staticKeys' ? awsSecretAccessKey : ''
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    hostStorageAccountName: hostStorage.outputs.name
    lakeAccountName: lake.outputs.name
    cosmosAccountName: cosmos.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    deployerPrincipalId: principalId
    deployerManagesSecrets: awsAuthMode == 'staticKeys'
  }
}

// The app's own settings (README "Configuration (app settings)"). The host's are in modules/function-app.bicep.
var appSettings = {
  DURABLE_TASK_HUB: taskHubName
  LAKE_ACCOUNT_URL: lake.outputs.blobEndpoint
  LAKE_CONTAINER: lakeContainerName
  COSMOS_ENDPOINT: cosmos.outputs.endpoint
  // The provisioned throughput (serverless or the database's autoscale maximum): the default RU cap's source,
  // since the app's identity may not read throughput offers (modules/cosmos.bicep, src/cosmos/throughput.ts).
  COSMOS_THROUGHPUT: cosmos.outputs.throughputSetting
  AWS_REGION: awsRegion
  ALLOWED_SOURCES: allowedSources
  SYNC_SCHEDULE: syncSchedule
}

// AWS credentials: a role to assume with the managed identity's token, or Key Vault references to static keys
// (resolved by the platform with the same identity; the values never appear in the app's configuration).
var awsAppSettings = awsAuthMode == 'staticKeys' ? {
  AWS_ACCESS_KEY_ID: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/aws-access-key-id)'
  AWS_SECRET_ACCESS_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/aws-secret-access-key)'
} : {
  AWS_ROLE_ARN: awsRoleArn
  AWS_WEB_IDENTITY_AUDIENCE: awsWebIdentityAudience
}

module functionApp 'modules/function-app.bicep' = {
  name: 'functionApp'
  scope: rg
  // Roles first, so that the host's first start can already reach its storage.
  dependsOn: [
    rbac
  ]
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    hostStorageAccountName: hostStorage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appSettings: union(appSettings, awsAppSettings)
    runtimeVersion: '22'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

// azd stores these in .azure/<env>/.env (azd env get-values); README "Deploy to Azure" uses them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output DDB2COSMOS_URL string = 'https://${functionApp.outputs.defaultHostName}'
output LAKE_ACCOUNT_NAME string = lake.outputs.name
output LAKE_ACCOUNT_URL string = lake.outputs.blobEndpoint
output LAKE_CONTAINER string = lakeContainerName
output COSMOS_ACCOUNT_NAME string = cosmos.outputs.name
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmos.outputs.databaseName
output KEY_VAULT_NAME string = keyVault.outputs.name
output DURABLE_TASK_HUB string = taskHubName
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
// The iss of the managed identity's token for api://AzureADTokenExchange (v2.0 issuer, no trailing /): the IAM OIDC
// provider URL; its condition keys are this without https:// (docs/aws-access.md, src/clients/aws-trust-policy.ts).
output AWS_WEB_IDENTITY_ISSUER string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
output AWS_WEB_IDENTITY_AUDIENCE string = awsWebIdentityAudience
output AWS_AUTH_MODE string = awsAuthMode
