/**
 * The offers resource (/offers), which @vercel/cosmosdb-server does not have (it answers 400 "no route", so
 * `container.readOffer()` fails there). @azure/cosmos 4.9 reads a container's or database's offer by querying
 * `SELECT * from root where root.resource = "<_self>"` (Container.readOffer, Database.readOffer), lists them with
 * GET /offers (client.offers.readAll), reads one with GET /offers/{id} and replaces it with PUT /offers/{id}
 * (https://learn.microsoft.com/rest/api/cosmos-db/offers). Offers are "V2": `content.offerThroughput`, or
 * `content.offerAutopilotSettings.maxThroughput` for autoscale
 * (https://learn.microsoft.com/rest/api/cosmos-db/replace-an-offer).
 */
import { AUTOSCALE_MIN_FRACTION } from './limits';
import { throughputFromHeaders, type OfferRecord, type ThroughputRegistry, type ThroughputSetting } from './throughput';
import { jsonAnswer, type Answer } from './wire';

export function offerResource(offer: OfferRecord): Record<string, unknown> {
  const setting = offer.setting;
  const content =
    setting.mode === 'manual'
      ? { offerThroughput: setting.throughput, offerIsRUPerMinuteThroughputEnabled: false }
      : {
          // The floor autoscale scales down to; what it can use at once is the maximum.
          offerThroughput: Math.round(setting.maxThroughput * AUTOSCALE_MIN_FRACTION),
          offerAutopilotSettings: {
            maxThroughput: setting.maxThroughput,
            autoUpgradeMaxThroughputIncrementPercentage: 0,
          },
          offerIsRUPerMinuteThroughputEnabled: false,
        };
  return {
    resource: offer.resource,
    offerType: 'Invalid',
    offerResourceId: offer.offerResourceId,
    offerVersion: 'V2',
    content,
    id: offer.id,
    _rid: offer.id,
    _self: `offers/${offer.id}/`,
    _etag: `"${offer.etag}"`,
    _ts: offer.ts,
  };
}

function feed(offers: OfferRecord[]): Answer {
  const resources = offers.map(offerResource);
  return jsonAnswer(
    200,
    { _rid: '', Offers: resources, _count: resources.length },
    {
      'x-ms-request-charge': '1',
      'x-ms-item-count': String(resources.length),
    },
  );
}

function notFound(id: string): Answer {
  return jsonAnswer(
    404,
    { code: 'NotFound', message: `Offer ${id} does not exist (strict local layer)` },
    {
      'x-ms-request-charge': '1',
      'x-ms-substatus': '0',
    },
  );
}

function badRequest(message: string): Answer {
  return jsonAnswer(400, { code: 'BadRequest', message }, { 'x-ms-request-charge': '0', 'x-ms-substatus': '0' });
}

/**
 * The filters the SDKs use: none (all offers), or one equality on `resource`, `offerResourceId` or `id`, with a
 * literal or a parameter. Anything else is refused rather than answered wrongly.
 */
function filterOffers(offers: OfferRecord[], body: unknown): OfferRecord[] | string {
  const spec = body as { query?: unknown; parameters?: { name: string; value: unknown }[] };
  const query = typeof spec?.query === 'string' ? spec.query : '';
  const where = /\bwhere\b([\s\S]*)$/i.exec(query);
  if (!where) return /^\s*select\s+\*\s+from\s+\w+\s*$/i.test(query) ? offers : `unsupported offer query: ${query}`;
  const condition = /^\s*\w+\.(resource|offerResourceId|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|(@\w+))\s*$/i.exec(where[1]);
  if (!condition) return `unsupported offer query: ${query}`;
  const [, field, doubleQuoted, singleQuoted, parameter] = condition;
  const wanted = parameter ? spec.parameters?.find((p) => p.name === parameter)?.value : (doubleQuoted ?? singleQuoted);
  return offers.filter((offer) => {
    const resource = offerResource(offer) as Record<string, unknown>;
    const key = Object.keys(resource).find((k) => k.toLowerCase() === field.toLowerCase()) ?? field;
    return resource[key] === wanted;
  });
}

/** The new throughput of a PUT /offers/{id} body. */
function settingOf(body: unknown): ThroughputSetting | string {
  const content = (
    body as { content?: { offerThroughput?: unknown; offerAutopilotSettings?: { maxThroughput?: unknown } } }
  )?.content;
  const max = content?.offerAutopilotSettings?.maxThroughput;
  const headers =
    max !== undefined
      ? { 'x-ms-cosmos-offer-autopilot-settings': JSON.stringify({ maxThroughput: max }) }
      : { 'x-ms-offer-throughput': String(content?.offerThroughput) };
  const { setting, error } = throughputFromHeaders(headers, false);
  return setting ?? error ?? 'the offer has no content.offerThroughput or content.offerAutopilotSettings';
}

export function answerOffers(
  registry: ThroughputRegistry,
  route: { id?: string; op: 'read' | 'query' | 'replace' | 'other' },
  method: string,
  body: unknown,
): Answer {
  if (route.op === 'query') {
    if (method === 'GET') return feed(registry.allOffers());
    const filtered = filterOffers(registry.allOffers(), body);
    return typeof filtered === 'string' ? badRequest(`${filtered} (strict local layer)`) : feed(filtered);
  }
  const id = route.id ?? '';
  if (route.op === 'read') {
    const offer = registry.offerById(id);
    return offer ? jsonAnswer(200, offerResource(offer), { 'x-ms-request-charge': '1' }) : notFound(id);
  }
  if (route.op === 'replace') {
    if (!registry.offerById(id)) return notFound(id);
    const setting = settingOf(body);
    if (typeof setting === 'string') return badRequest(`${setting} (strict local layer)`);
    const offer = registry.replaceOffer(id, setting) as OfferRecord;
    return jsonAnswer(200, offerResource(offer), { 'x-ms-request-charge': '1' });
  }
  return badRequest(`${method} is not supported on offers (strict local layer)`);
}
