import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, refuseActionBody, refuseRequest, REQUEST_BODY_LIMIT, SECURITY_HEADERS } from './security';

const headers = (h: Record<string, string>) => new Headers(h);

describe('security headers', () => {
  it('forbid framing, sniffing and cross-site referrers', () => {
    expect(SECURITY_HEADERS).toMatchObject({
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    });
  });

  it('allow scripts only with the nonce, and nothing to frame the console', () => {
    const policy = contentSecurityPolicy('abc123', { development: false, https: false });
    expect(policy).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toContain('upgrade-insecure-requests');
    expect(contentSecurityPolicy('n', { development: true, https: true })).toMatch(/'unsafe-eval'.*upgrade-insecure-requests$/);
  });
});

describe('requests refused before they are read', () => {
  it('lets ordinary requests through', () => {
    expect(refuseRequest('GET', headers({}))).toBeNull();
    expect(refuseRequest('POST', headers({ 'content-length': '120', 'content-type': 'application/x-www-form-urlencoded' }))).toBeNull();
    expect(
      refuseRequest('POST', headers({ 'next-action': 'abc', 'content-length': '2000', 'content-type': 'multipart/form-data; boundary=x' })),
    ).toBeNull();
    expect(
      refuseRequest('POST', headers({ 'next-action': 'abc', 'content-length': '20', 'content-type': 'text/plain;charset=UTF-8' })),
    ).toBeNull();
  });

  it('refuses bodies over the limit, of unknown length, and actions of the wrong kind, with a sentence', () => {
    expect(refuseRequest('POST', headers({ 'content-length': String(REQUEST_BODY_LIMIT + 1) }))).toMatchObject({
      status: 413,
      message: expect.stringMatching(/larger than 1024 KiB/),
    });
    expect(refuseRequest('POST', headers({ 'content-length': '12abc' }))?.status).toBe(413);
    expect(refuseRequest('POST', headers({ 'transfer-encoding': 'chunked' }))?.status).toBe(411);
    expect(refuseRequest('GET', headers({ 'next-action': 'abc' }))?.status).toBe(405);
    expect(
      refuseRequest('POST', headers({ 'next-action': 'abc', 'content-length': '2', 'content-type': 'application/json' })),
    ).toMatchObject({ status: 415 });
    expect(refuseRequest('POST', headers({ 'next-action': 'abc', 'content-length': '2' }))?.status).toBe(415);
  });
});

/** A request body as the proxy sees it: what React's client sends for the console's actions. */
function body(type: string, content: string | Record<string, string>, action = true) {
  const form = new FormData();
  if (typeof content !== 'string') for (const [k, v] of Object.entries(content)) form.append(k, v);
  const request =
    typeof content === 'string'
      ? new Request('http://console.invalid/', { method: 'POST', body: content, headers: { 'content-type': type } })
      : new Request('http://console.invalid/', { method: 'POST', body: form });
  const headers = new Headers(request.headers);
  if (action) headers.set('next-action', '60c480fc26b69ef8b3bc2a6ac383b436844a793bf2');
  return [headers, request] as const;
}
const MPA_FIELDS = {
  $ACTION_REF_1: '',
  '$ACTION_1:0': '{"id":"60c480fc26b69ef8b3bc2a6ac383b436844a793bf2","bound":"$@1"}',
  '$ACTION_1:1': '[null]',
  login: 'admin',
};

describe('server action bodies', () => {
  it('lets through what the console’s pages send', async () => {
    expect(
      await refuseActionBody(
        ...body('text/plain;charset=UTF-8', '[{"uuid":"dba52a0a-45ce-4371-9b8f-f49652b9d1f1","intent":"exclude","note":"$$5 off"}]'),
      ),
    ).toBeNull();
    expect(await refuseActionBody(...body('', { '1_login': 'admin', '1_password': 'x', '0': '[null,"$K1"]' }))).toBeNull();
    expect(
      await refuseActionBody(...body('', { '1_toggle': 'include:x', '0': '[{"ok":false,"error":"x"},"$K1"]', '2': '"$undefined"' })),
    ).toBeNull();
    // A form posted before JavaScript has loaded: the action is named in its fields.
    expect(await refuseActionBody(...body('', MPA_FIELDS, false))).toBeNull();
    expect(await refuseActionBody(...body('application/x-www-form-urlencoded', 'a=1', false))).toBeNull();
  });

  it.each([
    ['text that is not JSON', body('text/plain', '{{{')],
    ['a reference to a part that is not there', body('text/plain', '["$@5"]')],
    ['a typed array', body('text/plain', '["$A1"]')],
    ['a server reference', body('text/plain', '[{"f":"$h1"}]')],
    ['a form without its arguments', body('', { a: '1' })],
    ['arguments that are not JSON', body('', { '0': '[null,' })],
    ['a map whose part is missing', body('', { '0': '[null,"$Q7"]' })],
    ['a form that does not parse', body('multipart/form-data; boundary=XYZ', 'garbage')],
    ['a no-JavaScript post whose action is not JSON', body('', { ...MPA_FIELDS, '$ACTION_1:0': '{"id":' }, false)],
    ['a no-JavaScript post that does not parse', body('multipart/form-data; boundary=XYZ', 'garbage', false)],
  ])('refuses %s with 400 and a sentence', async (_what, [headers, request]) => {
    expect(await refuseActionBody(headers, request)).toEqual({
      status: 400,
      message: expect.stringMatching(/^The request body is malformed/),
    });
  });
});
