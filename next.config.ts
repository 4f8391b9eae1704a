import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // ssh2 and ldapts use Node sockets and optional native crypto; keep them out of the bundle.
  serverExternalPackages: ['ssh2', 'ldapts'],
  poweredByHeader: false,
};

export default nextConfig;
