// Writes gzip and brotli copies of the site's pkg/ files beside them, so
// that the portal serves them compressed without compressing on every
// request. Usage: node end2end/compress-site.mjs target/site
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

const pkg = path.join(process.argv[2] ?? 'target/site', 'pkg');
for (const name of fs.readdirSync(pkg)) {
  if (!/\.(wasm|js|css)$/.test(name)) continue;
  const file = path.join(pkg, name);
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(bytes, { level: 9 }));
  fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(bytes, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }));
}
