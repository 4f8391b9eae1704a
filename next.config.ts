import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // ssh2 and ldapts use Node sockets and optional native crypto; keep them out of the bundle.
  // prom-client keeps its default metrics' state per module instance: one copy, not one per route.
  serverExternalPackages: ['ssh2', 'ldapts', 'prom-client'],
  poweredByHeader: false,
};

export default nextConfig;
