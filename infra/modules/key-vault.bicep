// Key Vault with Azure RBAC authorization, for AWS static keys when awsAuthMode is 'staticKeys'. The app reads
// them through Key Vault references resolved with its managed identity (Key Vault Secrets User, rbac.bicep).
// Secrets are written only when values are given, so a later provisioning run without them keeps what is there
// (e.g. secrets set with `az keyvault secret set`).

param name string
param location string
param tags object = {}

@secure()
@description('AWS access key id; empty = leave the secret as it is.')
param awsAccessKeyId string = ''

@secure()
@description('AWS secret access key; empty = leave the secret as it is.')
param awsSecretAccessKey string = ''

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource accessKeyIdSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(awsAccessKeyId)) {
  parent: vault
  name: 'aws-access-key-id'
  properties: {
    value: awsAccessKeyId
  }
}

resource secretAccessKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(awsSecretAccessKey)) {
  parent: vault
  name: 'aws-secret-access-key'
  properties: {
    value: awsSecretAccessKey
  }
}

output name string = vault.name
output vaultUri string = vault.properties.vaultUri
