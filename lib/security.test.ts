import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, refuseRequest, REQUEST_BODY_LIMIT, SECURITY_HEADERS } from './security';

const headers = (h: Record<string, string>) => new Headers(h);

describe('security headers', () => {
  it('forbid framing, sniffing and cross-site referrers', () => {
    expect(SECURITY_HEADERS).toMatchObject({ 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin' });
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
    expect(refuseRequest('POST', headers({ 'next-action': 'abc', 'content-length': '2000', 'content-type': 'multipart/form-data; boundary=x' }))).toBeNull();
    expect(refuseRequest('POST', headers({ 'next-action': 'abc', 'content-length': '20', 'content-type': 'text/plain;charset=UTF-8' }))).toBeNull();
  });

  it('refuses bodies over the limit, of unknown length, and actions of the wrong kind, with a sentence', () => {
    expect(refuseRequest('POST', headers({ 'content-length': String(REQUEST_BODY_LIMIT + 1) }))).toMatchObject({ status: 413, message: expect.stringMatching(/larger than 1024 KiB/) });
    expect(refuseRequest('POST', headers({ 'content-length': '12abc' }))?.status).toBe(413);
    expect(refuseRequest('POST', headers({ 'transfer-encoding': 'chunked' }))?.status).toBe(411);
    expect(refuseRequest('GET', headers({ 'next-action': 'abc' }))?.status).toBe(405);
    expect(refuseRequest('POST', headers({ 'next-action': 'abc', 'content-length': '2', 'content-type': 'application/json' }))).toMatchObject({ status: 415 });
    expect(refuseRequest('POST', headers({ 'next-action': 'abc', 'content-length': '2' }))?.status).toBe(415);
  });
});
