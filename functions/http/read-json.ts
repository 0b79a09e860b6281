import { HttpRequest, HttpResponseInit } from '@azure/functions';
import { Problem } from '../../src/migration/validate-request';

export async function readJson(
  request: HttpRequest,
): Promise<{ ok: true; body: unknown } | { ok: false; message: string }> {
  const text = await request.text();
  if (text.trim() === '') return { ok: false, message: 'the request body is empty; send the request as JSON' };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `the request body is not valid JSON: ${(error as Error).message}` };
  }
}

export function badRequest(problems: Problem[]): HttpResponseInit {
  return { status: 400, jsonBody: { error: 'invalid request', problems } };
}
