import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonBody, statusOf } from './http';

const schema = z.object({ name: z.string().max(10, 'at most 10 characters') });
const post = (body: string, type = 'application/json', extra: Record<string, string> = {}) =>
  new Request('http://console.invalid/api/x', { method: 'POST', body, headers: { 'content-type': type, ...extra } });

describe('JSON request bodies', () => {
  it('reads a valid body', async () => {
    expect(await readJsonBody(post('{"name":"web-01"}'), schema, 1000)).toEqual({ ok: true, data: { name: 'web-01' } });
  });

  it('answers 415, 413 and 400 with a sentence, never repeating the value at length', async () => {
    expect(await readJsonBody(post('{}', 'text/xml'), schema, 1000)).toMatchObject({
      ok: false,
      status: 415,
      error: expect.stringContaining('"text/xml"'),
    });
    expect(await readJsonBody(post('{}', `x/${'y'.repeat(500)}`), schema, 1000)).toMatchObject({
      status: 415,
      error: expect.not.stringMatching(/y{100}/),
    });
    expect(await readJsonBody(post(`{"name":"${'a'.repeat(2000)}"}`), schema, 1000)).toMatchObject({ ok: false, status: 413 });
    expect(await readJsonBody(post('{}', 'application/json', { 'content-length': '5000' }), schema, 1000)).toMatchObject({ status: 413 });
    expect(await readJsonBody(post('{"name":'), schema, 1000)).toMatchObject({
      ok: false,
      status: 400,
      error: 'The request body is not valid JSON; nothing was done.',
    });
    const invalid = await readJsonBody(post(`{"name":"${'b'.repeat(200)}"}`), schema, 1000);
    expect(invalid).toMatchObject({
      ok: false,
      status: 400,
      error: 'The request body is not valid (name: at most 10 characters); nothing was done.',
    });
  });
});

describe('status codes', () => {
  it('gives 503 only when the directory or a node cannot be used', () => {
    expect(statusOf('unauthenticated')).toBe(401);
    expect(statusOf('forbidden')).toBe(403);
    expect(statusOf('invalid-input')).toBe(400);
    expect(statusOf('not-found')).toBe(404);
    expect(statusOf('directory-unavailable')).toBe(503);
    expect(statusOf('node-unreachable')).toBe(503);
    expect(statusOf('directory-error')).toBe(502);
    expect(statusOf('command-failed')).toBe(502);
  });
});
