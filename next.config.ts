import type { NextConfig } from 'next';
import { REQUEST_BODY_LIMIT, SECURITY_HEADERS } from './lib/security';

const nextConfig: NextConfig = {
  // ssh2 and ldapts use Node sockets and optional native crypto; keep them out of the bundle.
  // prom-client keeps its default metrics' state per module instance: one copy, not one per route.
  serverExternalPackages: ['ssh2', 'ldapts', 'prom-client'],
  poweredByHeader: false,
  experimental: {
    serverActions: { bodySizeLimit: REQUEST_BODY_LIMIT },
    // proxy.ts refuses larger bodies by their Content-Length; a body that lies about it is cut here
    // above the action limit, so Next.js still sees it as too large instead of parsing a fragment.
    proxyClientMaxBodySize: REQUEST_BODY_LIMIT * 2,
  },
  // Every response, static files included; proxy.ts adds the content security policy to pages.
  async headers() {
    return [{ source: '/:path*', headers: Object.entries(SECURITY_HEADERS).map(([key, value]) => ({ key, value })) }];
  },
};

export default nextConfig;
