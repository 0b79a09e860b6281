/**
 * The documented Cosmos DB for NoSQL limits the strict layer enforces, each beside its source. Figures only: the
 * rules that apply them live in document-rules.ts and throughput.ts.
 */

/** Per-item limit "Maximum length of ID value": 1,023 bytes. https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-item-limits */
export const MAX_ID_BYTES = 1023;

/**
 * Per-item limit "Maximum size of an item": 2 MB, the UTF-8 length of its JSON representation
 * (https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-item-limits); larger requests get 413
 * (https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb, and a measured 2,239,798-byte item
 * refused with 413 while 2,093,334 bytes passed: https://learn.microsoft.com/answers/questions/692455).
 */
export const MAX_ITEM_BYTES = 2 * 1024 * 1024;

/**
 * "Maximum length of partition key value": 2,048 bytes, or 101 bytes when large partition keys are not enabled
 * (https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-item-limits). Large keys are partition key
 * definition version 2 ("supports partition key up to 2KB":
 * https://learn.microsoft.com/dotnet/api/microsoft.azure.documents.partitionkeydefinitionversion); a definition
 * without a version is version 1. Hierarchical (MultiHash) keys are always version 2; the layer applies the 2 KB
 * limit to each level, which no page states either way.
 */
export const MAX_PARTITION_KEY_BYTES_V2 = 2048;
export const MAX_PARTITION_KEY_BYTES_V1 = 101;

/** "Maximum level of nesting for embedded objects / arrays": 128. https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-item-limits */
export const MAX_NESTING_DEPTH = 128;

/**
 * Restricted in ids: '/', '\\', '?', '#' (https://learn.microsoft.com/dotnet/api/microsoft.azure.documents.resource.id).
 * The service still stores such items; they then cannot be read, replaced or deleted by id
 * (Azure/azure-cosmos-dotnet-v3#2606, #4129, #4636, #3456;
 * https://learn.microsoft.com/azure/cosmos-db/nosql/troubleshoot-not-found#invalid-character-in-an-item-id).
 */
export const ILLEGAL_ID_CHARACTERS = /[/\\?#]/;

/** "Maximum RUs per partition (logical & physical)": 10,000. https://learn.microsoft.com/azure/cosmos-db/concepts-limits#provisioned-throughput */
export const MAX_RU_PER_PHYSICAL_PARTITION = 10_000;

/**
 * Manual throughput: at least 400 RU/s, "expressed in units of 100 request units per second"
 * (x-ms-offer-throughput, https://learn.microsoft.com/rest/api/cosmos-db/create-a-collection and
 * https://learn.microsoft.com/azure/cosmos-db/concepts-limits#minimum-throughput-limits). A container created with
 * no throughput in a database without shared throughput gets this minimum: the header is optional and the service
 * picks its default ("let backend decide on the default value", microsoft/spring-data-cosmosdb#512).
 */
export const MIN_MANUAL_THROUGHPUT = 400;
export const MANUAL_THROUGHPUT_STEP = 100;

/**
 * Autoscale maximum RU/s: from 1,000, in increments of 1,000
 * (https://learn.microsoft.com/python/api/azure-cosmos/azure.cosmos.throughputproperties); the resource scales
 * instantly between 10% of the maximum and the maximum, so all of it can be used at any time
 * (https://learn.microsoft.com/azure/cosmos-db/autoscale-faq).
 */
export const MIN_AUTOSCALE_MAX_THROUGHPUT = 1000;
export const AUTOSCALE_THROUGHPUT_STEP = 1000;
export const AUTOSCALE_MIN_FRACTION = 0.1;

/**
 * Serverless: 5,000 RU/s per container while it fits in one physical partition (up to 50 GB), no offers.
 * https://learn.microsoft.com/azure/cosmos-db/serverless-performance
 */
export const SERVERLESS_CONTAINER_THROUGHPUT = 5000;
