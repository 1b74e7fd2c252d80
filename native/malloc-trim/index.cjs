'use strict';
// The compiled addon; without it (not built, not glibc) trim() does nothing and says so.
let trim = () => false;
try {
  trim = require('./build/Release/malloc_trim.node').trim;
} catch {
  // optional: memory is still bounded, only the idle figure is higher
}
module.exports = { trim };
