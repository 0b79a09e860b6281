// A StorageV2 account that accepts Microsoft Entra ID only (shared keys, and so account SAS, are disabled) and
// no anonymous access, with the given blob containers. Used for the Functions host's own storage (deployment
// package, Durable Functions queues and tables, keys) and, with hierarchical namespace, for the data lake.

@description('Globally unique, 3-24 lower-case letters and digits.')
param name string
param location string
param tags object = {}

@description('Hierarchical namespace (ADLS Gen2). On for the lake, off for the host storage.')
param isHnsEnabled bool = false

@description('Blob containers (file systems when isHnsEnabled) to create.')
param containerNames array = []

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    isHnsEnabled: isHnsEnabled
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'

    resource containers 'containers' = [
      for containerName in containerNames: {
        name: containerName
        properties: {
          publicAccess: 'None'
        }
      }
    ]
  }
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
