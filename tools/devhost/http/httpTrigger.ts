import { IncomingMessage, ServerResponse } from 'http';
import { RpcHttpData, RpcInvocationResponse } from '../core/coreTypes';
import { extraInputData } from '../invoke/extraInputs';
import { Invoker } from '../invoke/invoker';
import { flattenHeaders, sendRpcHttp } from './httpMessages';
import { HttpRoute } from './httpRouter';

export interface HttpTriggerDeps {
  invoker: Invoker;
  durableClientValue: () => unknown;
}

/** The HTTP response the library produced: the `$return` http binding, else a named http output. */
function findHttpOutput(route: HttpRoute, response: RpcInvocationResponse): RpcHttpData | undefined {
  const bindings = route.fn.metadata.bindings;
  if (String(bindings.$return?.type).toLowerCase() === 'http') {
    return response.returnValue?.http ?? undefined;
  }
  for (const output of response.outputData ?? []) {
    const binding = output.name ? bindings[output.name] : undefined;
    if (String(binding?.type).toLowerCase() === 'http' && output.data?.http) {
      return output.data.http;
    }
  }
  return undefined;
}

/**
 * Runs one HTTP-triggered function. The library receives the absolute URL, all headers, the route params and
 * the raw body, and builds the real `HttpRequest` from them (query parsing included).
 */
export async function runHttpTrigger(
  deps: HttpTriggerDeps,
  route: HttpRoute,
  params: Record<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const http: RpcHttpData = {
    method,
    url: url.href,
    headers: flattenHeaders(req),
    params,
    body: method === 'GET' || method === 'HEAD' || body.length === 0 ? undefined : { bytes: body },
  };
  let response: RpcInvocationResponse;
  try {
    response = await deps.invoker.invoke(route.fn, {
      inputData: [
        { name: route.fn.triggerBindingName, data: { http } },
        ...extraInputData(route.fn, deps.durableClientValue),
      ],
    });
  } catch {
    // Like Azure, an unhandled function error becomes a bare 500; details are in the invocation log line.
    res.writeHead(500, { 'Content-Length': '0' });
    res.end();
    return;
  }
  sendRpcHttp(res, findHttpOutput(route, response), method);
}
