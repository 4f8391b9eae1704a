/**
 * Where to go after signing in: only a path on this console. Anything that a browser could read as
 * another site — `//evil`, `/\evil`, `/.//evil` (which a URL parser turns into `//evil`), a scheme,
 * backslashes, control characters, or any of these percent-encoded — lands on `/`.
 */
const BASE = 'http://console.invalid';

function looksLocal(path: string): boolean {
  return path.startsWith('/') && !/^\/[/\\]/.test(path) && !/[\\\u0000-\u001f\u007f]/.test(path);
}

export function safeNextPath(next: string | undefined | null): string {
  if (!next || next.length > 2048) return '/';
  // Check every decoding a browser or a server behind us might apply, not just the text as sent.
  let decoded = next;
  for (let i = 0; i < 3; i += 1) {
    if (!looksLocal(decoded)) return '/';
    let again: string;
    try {
      again = decodeURIComponent(decoded);
    } catch {
      return '/';
    }
    if (again === decoded) break;
    decoded = again;
  }
  if (!looksLocal(decoded)) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
    // What a server that decodes before resolving dot segments would make of it must stay local too.
    if (new URL(decoded, BASE).pathname.startsWith('//')) return '/';
  } catch {
    return '/';
  }
  if (url.origin !== BASE || !looksLocal(url.pathname) || url.pathname.startsWith('//')) return '/';
  if (url.pathname === '/login' || url.pathname.startsWith('/login/')) return '/';
  return `${url.pathname}${url.search}`;
}
