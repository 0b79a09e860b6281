// The user-assigned managed identity the Function App runs as. Its roles are in rbac.bicep; AWS trusts it
// through the IAM OIDC identity provider for this tenant (docs/aws-access.md, sub = principalId).

param name string
param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
