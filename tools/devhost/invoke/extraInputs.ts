import { FunctionDefinition, isDurableClientBinding, isTriggerType } from '../app/functionIndex';
import { RpcParameterBinding } from '../core/coreTypes';
import { jsonTypedData } from './typedData';

/**
 * Input bindings other than the trigger. Only the durable client is emulated; like the host it arrives as
 * JSON text that the library parses into `context.extraInputs`.
 */
export function extraInputData(fn: FunctionDefinition, durableClientValue: () => unknown): RpcParameterBinding[] {
  const data: RpcParameterBinding[] = [];
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    if (binding.direction !== 'in' || isTriggerType(binding.type)) continue;
    if (isDurableClientBinding(binding)) {
      data.push({ name, data: jsonTypedData(durableClientValue()) });
    }
  }
  return data;
}
