import { describe, expect, it } from 'vitest';
import { clientAddressOf } from './client-address';

describe('the client address', () => {
  it('is the socket address Next.js passes when nothing is in front', () => {
    expect(clientAddressOf('127.0.0.1', 0)).toBe('127.0.0.1');
    expect(clientAddressOf('::ffff:192.0.2.7', 0)).toBe('192.0.2.7');
    expect(clientAddressOf('[2001:DB8::1]:443', 0)).toBe('2001:db8::1');
  });

  it('behind proxies, is the entry the outermost trusted proxy appended, whatever the client claimed', () => {
    expect(clientAddressOf('10.9.9.9, 203.0.113.5', 1)).toBe('203.0.113.5');
    expect(clientAddressOf('10.9.9.9, 203.0.113.5, 10.0.0.2', 2)).toBe('203.0.113.5');
    expect(clientAddressOf('203.0.113.5', 3)).toBe('203.0.113.5');
  });

  it('says unknown rather than passing on anything that is not an address', () => {
    expect(clientAddressOf(null, 0)).toBe('unknown');
    expect(clientAddressOf('', 1)).toBe('unknown');
    expect(clientAddressOf('evil.example', 0)).toBe('unknown');
    expect(clientAddressOf('1.2.3.4\r\nX: y', 0)).toBe('unknown');
  });
});
