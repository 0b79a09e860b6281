import { randomUUID } from 'crypto';
import { FunctionDefinition } from '../app/functionIndex';
import { CoreRuntime, InvocationLogScope } from '../core/coreRuntime';
import {
  CoreInvocationContext,
  HookData,
  InvocationState,
  PostInvocationContext,
  PreInvocationContext,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
  RpcParameterBinding,
  RpcTypedData,
} from '../core/coreTypes';
import { errorMessage } from '../logger';
import { formatInvocationLine } from './invocationLine';

export interface InvokeRequest {
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
  /** Durable instance the invocation belongs to; only used for the log line. */
  instanceId?: string;
  /** Turns a thrown error into log text (orchestrator failures carry a JSON payload after the message). */
  describeError?: (err: unknown) => string;
}

/**
 * Invokes a function exactly like the Node.js worker's InvocationHandler: the programming model builds a
 * fresh context and the real HttpRequest/InvocationContext objects from RPC data, hooks run around the call,
 * and the result comes back as an RPC response. Rejects with the user's error.
 */
export class Invoker {
  constructor(private readonly runtime: CoreRuntime) {}

  async invoke(fn: FunctionDefinition, request: InvokeRequest): Promise<RpcInvocationResponse> {
    const started = performance.now();
    try {
      const response = await this.#invoke(fn, request);
      this.runtime.logger.info(
        formatInvocationLine({
          functionName: fn.name,
          instanceId: request.instanceId,
          durationMs: performance.now() - started,
        }),
      );
      return response;
    } catch (err) {
      const text = request.describeError ? request.describeError(err) : errorMessage(err);
      this.runtime.logger.info(
        formatInvocationLine({
          functionName: fn.name,
          instanceId: request.instanceId,
          durationMs: performance.now() - started,
          error: text,
        }),
      );
      throw err;
    }
  }

  async #invoke(fn: FunctionDefinition, request: InvokeRequest): Promise<RpcInvocationResponse> {
    const model = this.runtime.programmingModel;
    if (!model) {
      throw new Error('No programming model was registered; does the app import "@azure/functions"?');
    }
    const invocationId = randomUUID();
    const hookData: HookData = {};
    const scope: InvocationLogScope = { functionName: fn.name, hookData, invocationContext: undefined };
    const runtime = this.runtime;
    const coreContext: CoreInvocationContext & { state?: InvocationState } = {
      invocationId,
      request: {
        invocationId,
        functionId: fn.name,
        inputData: request.inputData,
        triggerMetadata: request.triggerMetadata,
      },
      metadata: { name: fn.name, functionId: fn.name, bindings: fn.metadata.bindings, scriptFile: 'n/a' },
      log(level: RpcLogLevel, category: RpcLogCategory, message: string) {
        runtime.emitLog(level, category, message, scope);
      },
    };
    const invocationModel = await model.getInvocationModel(coreContext);
    const { context, inputs } = await invocationModel.getArguments();
    scope.invocationContext = context;
    const appHookData = runtime.hooks.appHookData;

    const pre: PreInvocationContext = {
      hookData,
      appHookData,
      invocationContext: context,
      inputs,
      functionCallback: fn.callback,
    };
    coreContext.state = 'preInvocationHooks';
    try {
      await runtime.hooks.run('preInvocation', pre);
    } finally {
      coreContext.state = undefined;
    }

    const post: PostInvocationContext = {
      hookData,
      appHookData,
      invocationContext: context,
      inputs: pre.inputs,
      result: null,
      error: null,
    };
    coreContext.state = 'invocation';
    try {
      post.result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback);
    } catch (err) {
      post.error = err;
    } finally {
      coreContext.state = undefined;
    }

    coreContext.state = 'postInvocationHooks';
    try {
      await runtime.hooks.run('postInvocation', post);
    } finally {
      coreContext.state = undefined;
    }
    if (post.error !== null && post.error !== undefined) {
      throw post.error;
    }
    return invocationModel.getResponse(context, post.result);
  }
}
