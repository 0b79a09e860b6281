import { IncomingHttpHeaders } from 'http';
import { PlainResponse } from '../http/httpMessages';
import { errorMessage } from '../logger';
import { checkStatusBody, DURABLE_WEBHOOK_PATH, managementUrls } from './clientBinding';
import { ControlResult, OrchestrationEngine } from './engine';
import { DurableApiError } from './errors';
import { isTerminal } from './historyEvents';
import { parseDate, parseInstanceQuery, parseRuntimeStatuses, queryInstances } from './instanceQuery';
import { toStatusPayload } from './statusPayload';

export interface ManagementRequest {
  method: string;
  /** Path below `/runtime/webhooks/durabletask`, e.g. `/instances/abc`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Origin the caller used; links in responses point back to it, as in the extension. */
  origin: string;
}

function bool(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = query.get(name)?.toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : fallback;
}

function seconds(query: URLSearchParams, name: string): number | undefined {
  const value = Number.parseFloat(query.get(name) ?? '');
  return Number.isFinite(value) ? value * 1000 : undefined;
}

const CONTROL_STATUS: Record<ControlResult, number> = { accepted: 202, notFound: 404, gone: 410 };

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The Durable Functions HTTP management API (§6), served for both the webhook URLs and `rpcBaseUrl`. */
export class ManagementApi {
  constructor(
    private readonly engine: OrchestrationEngine,
    private readonly hubName: string,
  ) {}

  async handle(req: ManagementRequest): Promise<PlainResponse> {
    try {
      return await this.#route(req);
    } catch (err) {
      if (err instanceof DurableApiError) {
        return { status: err.status, body: err.toBody() };
      }
      return {
        status: 500,
        body: { Message: 'Something went wrong while processing your request', ExceptionMessage: errorMessage(err) },
      };
    }
  }

  async #route(req: ManagementRequest): Promise<PlainResponse> {
    let segments: string[];
    try {
      segments = req.path
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
    } catch {
      throw new DurableApiError(400, 'The request path is not valid URL encoding.');
    }
    const [controller, id, operation, eventName, ...rest] = segments;
    const method = req.method.toUpperCase();
    const notFound: PlainResponse = { status: 404 };
    switch (controller?.toLowerCase()) {
      case 'orchestrators':
        // orchestrators/{functionName}/{instanceId?}
        if (!id || eventName !== undefined || rest.length > 0) return notFound;
        return method === 'POST' ? this.#start(req, id, operation) : notFound;
      case 'instances':
        if (rest.length > 0) return notFound;
        if (id === undefined) {
          if (method === 'GET') return this.#list(req);
          if (method === 'DELETE') return this.#purgeBy(req);
          return notFound;
        }
        if (operation === undefined) {
          if (method === 'GET') return this.#status(req, id);
          if (method === 'DELETE') return this.#purge(id);
          return notFound;
        }
        if (method !== 'POST') return notFound;
        if (operation.toLowerCase() === 'raiseevent') {
          return eventName === undefined ? notFound : this.#raiseEvent(req, id, eventName);
        }
        if (eventName !== undefined) return notFound;
        return this.#operation(req, id, operation.toLowerCase());
      case 'entities':
        return { status: 501, body: { Message: 'Durable entities are not supported by the local devhost.' } };
      default:
        return notFound;
    }
  }

  /** The request's own URL, which the extension returns as Location while an instance runs. */
  #selfUrl(req: ManagementRequest): string {
    const query = req.query.toString();
    return `${req.origin}${DURABLE_WEBHOOK_PATH}${req.path}${query ? `?${query}` : ''}`;
  }

  #links(req: ManagementRequest, instanceId: string) {
    return managementUrls({ origin: req.origin, hubName: this.hubName }, instanceId);
  }

  #checkStatus(req: ManagementRequest, instanceId: string): PlainResponse {
    const links = this.#links(req, instanceId);
    return {
      status: 202,
      headers: { Location: links.statusQueryGetUri, 'Retry-After': '10' },
      body: checkStatusBody(links),
    };
  }

  #parseJsonBody(req: ManagementRequest): string {
    const text = req.body.toString('utf8');
    if (text.trim() === '') return 'null';
    try {
      return JSON.stringify(JSON.parse(text));
    } catch (err) {
      throw new DurableApiError(400, 'Invalid JSON content', errorMessage(err));
    }
  }

  async #start(req: ManagementRequest, functionName: string, instanceId: string | undefined): Promise<PlainResponse> {
    const input = this.#parseJsonBody(req);
    const id = await this.engine.startNew(functionName, instanceId, input);
    const timeout = seconds(req.query, 'timeout');
    const interval = seconds(req.query, 'pollingInterval');
    if (timeout === undefined || interval === undefined) {
      return this.#checkStatus(req, id);
    }
    return this.#waitForCompletion(req, id, timeout, interval);
  }

  async #waitForCompletion(
    req: ManagementRequest,
    id: string,
    timeoutMs: number,
    intervalMs: number,
  ): Promise<PlainResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const summary = this.engine.getSummary(id);
      if (summary?.status === 'Completed') {
        return { status: 200, body: toStatusPayload(summary, true).output };
      }
      if (summary && isTerminal(summary.status)) {
        return this.#status(req, id);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return this.#checkStatus(req, id);
      await delay(Math.max(10, Math.min(intervalMs, remaining)));
    }
  }

  async #status(req: ManagementRequest, id: string): Promise<PlainResponse> {
    const summary = this.engine.getSummary(id);
    if (!summary) return { status: 404 };
    const showInput = bool(req.query, 'showInput', true);
    const showHistory = bool(req.query, 'showHistory', false);
    // Like the extension, a Pending instance has no history to show yet.
    const events = showHistory && summary.status !== 'Pending' ? await this.engine.getHistory(id) : undefined;
    const payload = toStatusPayload(
      summary,
      showInput,
      events ? { events, showHistoryOutput: bool(req.query, 'showHistoryOutput', false) } : undefined,
    );
    switch (summary.status) {
      case 'Running':
      case 'Pending':
      case 'ContinuedAsNew':
      case 'Suspended':
        return {
          status: 202,
          headers: { Location: this.#selfUrl(req), 'Retry-After': '5' },
          body: payload,
        };
      case 'Failed':
        return { status: bool(req.query, 'returnInternalServerErrorOnFailure', false) ? 500 : 200, body: payload };
      default:
        return { status: 200, body: payload };
    }
  }

  #list(req: ManagementRequest): PlainResponse {
    const token = req.headers['x-ms-continuation-token'];
    const query = parseInstanceQuery(req.query, Array.isArray(token) ? token[0] : token);
    const showInput = bool(req.query, 'showInput', false);
    const { page, continuationToken } = queryInstances(this.engine.summaries(), query);
    return {
      status: 200,
      headers: { 'x-ms-continuation-token': continuationToken },
      body: page.map((s) => toStatusPayload(s, showInput)),
    };
  }

  async #purge(id: string): Promise<PlainResponse> {
    const deleted = await this.engine.purge(id);
    return deleted ? { status: 200, body: { instancesDeleted: 1 } } : { status: 404 };
  }

  async #purgeBy(req: ManagementRequest): Promise<PlainResponse> {
    const from = parseDate(req.query.get('createdTimeFrom'));
    if (from === undefined) {
      return { status: 400, body: "Please provide value for 'createdTimeFrom' parameter." };
    }
    const to = parseDate(req.query.get('createdTimeTo')) ?? Date.now();
    const statuses = parseRuntimeStatuses(req.query.getAll('runtimeStatus'));
    let deleted = 0;
    for (const summary of this.engine.summaries()) {
      const created = Date.parse(summary.createdTime);
      if (created < from || created > to || (statuses && !statuses.includes(summary.status))) continue;
      if (await this.engine.purge(summary.instanceId)) deleted++;
    }
    return deleted > 0 ? { status: 200, body: { instancesDeleted: deleted } } : { status: 404 };
  }

  async #raiseEvent(req: ManagementRequest, id: string, eventName: string): Promise<PlainResponse> {
    const summary = this.engine.getSummary(id);
    if (!summary) return { status: 404 };
    if (isTerminal(summary.status)) return { status: 410 };
    const mediaType = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (mediaType !== 'application/json') {
      throw new DurableApiError(400, 'Only application/json request content is supported');
    }
    const input = this.#parseJsonBody(req);
    return { status: CONTROL_STATUS[await this.engine.raiseEvent(id, eventName, input)] };
  }

  async #operation(req: ManagementRequest, id: string, operation: string): Promise<PlainResponse> {
    const reason = req.query.get('reason');
    switch (operation) {
      case 'terminate':
        return { status: CONTROL_STATUS[await this.engine.terminate(id, reason)] };
      case 'suspend':
        return { status: CONTROL_STATUS[await this.engine.suspend(id, reason)] };
      case 'resume':
        return { status: CONTROL_STATUS[await this.engine.resume(id, reason)] };
      case 'rewind': {
        const summary = this.engine.getSummary(id);
        if (!summary) return { status: 404 };
        if (summary.status === 'Completed' || summary.status === 'Terminated' || summary.status === 'Canceled') {
          return { status: 410 };
        }
        return { status: 501, body: 'The rewind operation is not supported by the local devhost.' };
      }
      case 'restart': {
        const summary = this.engine.getSummary(id);
        if (!summary) {
          throw new DurableApiError(400, 'InstanceId does not match a valid orchestration instance.');
        }
        const newId = bool(req.query, 'restartWithNewInstanceId', true) ? undefined : id;
        const started = await this.engine.startNew(summary.name, newId, summary.input ?? 'null');
        return this.#checkStatus(req, started);
      }
      default:
        return { status: 404 };
    }
  }
}
