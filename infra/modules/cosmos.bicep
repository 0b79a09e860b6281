// Azure Cosmos DB for NoSQL account with key-based auth disabled: the app reaches it only with its managed
// identity (Cosmos DB Built-in Data Contributor, assigned in rbac.bicep). Data-plane RBAC cannot create
// databases or containers, so they are declared here; the app's prepareTarget step finds them and checks the
// partition key.

param name string
param location string
param tags object = {}

@allowed([
  'serverless'
  'provisioned'
])
@description('serverless: pay per request. provisioned: autoscale throughput shared by the database\'s containers.')
param capacityMode string = 'serverless'

@minValue(1000)
@description('Autoscale maximum RU/s of the database (provisioned mode only).')
param autoscaleMaxThroughput int = 4000

param databaseName string

@description('Containers to create: [{ name: \'orders\', partitionKeyPaths: [\'/pk\'] }]; two paths give a hierarchical key.')
param containers array = []

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: capacityMode == 'serverless' ? [
      {
        name: 'EnableServerless'
      }
    ] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: capacityMode == 'provisioned' ? {
      autoscaleSettings: {
        maxThroughput: autoscaleMaxThroughput
      }
    } : {}
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: {
          paths: container.partitionKeyPaths
          kind: length(container.partitionKeyPaths) > 1 ? 'MultiHash' : 'Hash'
          version: 2
        }
      }
    }
  }
]

output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
// The throughput provisioned above, as the app's COSMOS_THROUGHPUT setting (src/cosmos/throughput.ts): with key
// auth disabled the app's identity cannot read throughput offers on the data plane (403, substatus 5300), so the
// default RU cap (80% of it) comes from here. Written from the same parameters as the resources, so a deployment
// cannot leave them apart: serverless, 5,000 RU/s per container; provisioned, the database's autoscale maximum.
output throughputSetting string = capacityMode == 'serverless' ? '*=serverless' : '${databaseName}=autoscale:${autoscaleMaxThroughput}'
