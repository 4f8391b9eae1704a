// Lets benchmark scripts import lib/ modules outside Next.js: `server-only` throws unless the
// bundler resolves it for the server, so it is pointed at the package's empty module here.
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'server-only') return require('node:path').join(__dirname, '..', 'node_modules', 'server-only', 'empty.js');
  return resolve.call(this, request, ...rest);
};
