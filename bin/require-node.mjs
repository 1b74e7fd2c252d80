// Preloaded first by `npm start` (node --import ./bin/require-node.mjs --import tsx …) and imported
// first by bin/pagemill.mjs: stops an unsupported Node before tsx or the service is loaded.
import { exitOnUnsupportedNode } from './node-version.mjs';

exitOnUnsupportedNode();
