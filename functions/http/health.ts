import { HttpResponseInit } from '@azure/functions';
import type { DependencySource } from '../../activities/dependencies';
import { checkDependencies } from '../../src/clients/check-dependencies';

/** `GET /api/health`: 200 when every dependency answers, 503 with each one's status otherwise. */
export function healthHandler(deps: DependencySource) {
  return async (): Promise<HttpResponseInit> => {
    let results;
    try {
      results = await checkDependencies(deps());
    } catch (error) {
      return { status: 503, jsonBody: { status: 'unhealthy', error: (error as Error).message } };
    }
    const healthy = results.every((r) => r.ok);
    return {
      status: healthy ? 200 : 503,
      jsonBody: { status: healthy ? 'healthy' : 'unhealthy', dependencies: results },
    };
  };
}
