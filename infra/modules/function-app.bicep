// Function App on the Flex Consumption plan (FC1, Linux), running as a user-assigned managed identity:
// the deployment package lives in a blob container of the host storage account, read with that identity;
// the host's own storage (AzureWebJobsStorage: Durable Functions queues, tables, leases, keys) and Application
// Insights are reached with it too, so no setting holds a key.

param name string
param planName string
param location string
param tags object = {}

@description('Resource id of the user-assigned managed identity.')
param identityId string
@description('Client id of that identity.')
param identityClientId string

@description('Host storage account (AzureWebJobsStorage and the deployment container).')
param hostStorageAccountName string
param deploymentContainerName string
param applicationInsightsName string

@description('Settings of the app itself (see main.bicep); merged with the host settings below.')
param appSettings object

// Node.js 22 LTS, of the versions Flex Consumption runs (20, 22); 20 reached its end of life on 30 April 2026. The code
// still runs on 20 (package.json engines), so local machines and CI need not move with it (docs/scale.md).
param runtimeVersion string = '22'

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

resource hostStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: hostStorageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

// Identity-based host storage and Entra ID authenticated telemetry. Flex Consumption takes the runtime from
// functionAppConfig, so FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not app settings here.
// The Application Insights connection string holds an instrumentation key, which is an identifier, not a
// secret: the component has local auth disabled and accepts only Entra ID authenticated telemetry.
var hostAppSettings = {
  AzureWebJobsStorage__accountName: hostStorage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLIENT_ID: identityClientId
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostStorage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: runtimeVersion
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(appSettings, hostAppSettings)
  }

  // Deployments (azd, az functionapp deployment) authenticate with Microsoft Entra ID; no publishing passwords.
  resource scmBasicAuth 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }

  resource ftpBasicAuth 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
