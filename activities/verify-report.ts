import { recordTableVerification, ReportInput, summaryOf, writeVerificationReport } from '../src/verify/report';
import { Verification, VerifyInput } from '../src/verify/types';
import { DependencySource } from './dependencies';

export interface VerifyReportInput extends ReportInput {
  instanceId: string;
  table?: VerifyInput['table'];
}

/** Writes the verification's report; for a synced table, also its summary into the ledger (`lastVerification`). */
export function verifyReportActivity(deps: DependencySource) {
  return async (input: VerifyReportInput): Promise<Verification> => {
    const { clients } = deps();
    const verification = await writeVerificationReport(clients.lake, input);
    if (input.table)
      await recordTableVerification(
        clients.lake,
        input.table.name,
        summaryOf(verification, input.instanceId, input.table),
      );
    return verification;
  };
}
