import { OrchestrationContext, Task } from 'durable-functions';
import type { ValidationResult } from '../src/migration/contracts';
import { childInstanceId } from '../src/migration/instance-id';
import { MigrationRequest } from '../src/migration/request';
import { migrationVerifyInput } from '../src/verify/inputs';
import { Verification, VerifyNames } from '../src/verify/types';

/** A migration's validation with, when `options.verify` is `full`, the full verification of its export. */
export type VerifiedValidation = ValidationResult & { verification?: Verification };

/**
 * The migration's full verification (`options.verify: "full"`): the verifyTable orchestration for its one export,
 * as a child of this run; its result joins the validation, which then passes only if both do. With `sample` (the
 * default, and requests from before the option existed) the validation is returned as it is.
 */
export function* withFullVerification(
  context: OrchestrationContext,
  request: MigrationRequest,
  startedAt: Date,
  exportId: string,
  incremental: boolean,
  validation: ValidationResult,
): Generator<Task, VerifiedValidation, unknown> {
  if (request.options.verify !== 'full') return validation;
  const verification = (yield context.df.callSubOrchestrator(
    VerifyNames.verifyTable,
    migrationVerifyInput(request, exportId, incremental),
    childInstanceId(context.df.instanceId, startedAt, 'verify'),
  )) as Verification;
  return { ...validation, passed: validation.passed && verification.passed, verification };
}
