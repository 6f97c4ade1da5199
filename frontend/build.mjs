// Build heavylegs' page front end into the Voila template's static folder.
//
//   cd frontend && npm ci && node build.mjs        (or: python3 dev.py frontend)
//   node build.mjs --out DIR                        (write the files to DIR instead)
//
// Writes heavylegs-page.js, heavylegs-page.css and heavylegs-page.licenses.txt (the licence
// of every package bundled) to share/jupyter/voila/templates/heavylegs/static/. The built
// files are committed, so that installing heavylegs (locally or on Binder) needs no Node.js.
// Their first line names a digest of the sources (this file, package.json, package-lock.json
// and src/); tests/test_frontend.py fails when the committed build is older than its sources,
// and rebuilds it to compare byte for byte where npm is available. esbuild's output depends
// only on its input, so the same sources always give the same files.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const TEMPLATE_STATIC = join(HERE, '..', 'share', 'jupyter', 'voila', 'templates', 'heavylegs', 'static');
const OUT = process.argv.includes('--out') ? resolve(process.argv[process.argv.indexOf('--out') + 1]) : TEMPLATE_STATIC;
const NAME = 'heavylegs-page';

/** Files whose bytes make the build (sorted, relative to frontend/, with '/' separators). */
export function sourceFiles() {
  const walk = (dir) => readdirSync(join(HERE, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
  return ['build.mjs', 'package.json', 'package-lock.json', ...walk('src')]
    .map((f) => f.split(sep).join('/')).sort();
}

/** SHA-256 (hex) of each source's path and bytes, as tests/test_frontend.py computes it. */
export function sourceDigest() {
  const h = createHash('sha256');
  for (const f of sourceFiles()) {
    h.update(`${f}\0`);
    h.update(readFileSync(join(HERE, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

// anywidget publishes its front end as an AMD module (define([...], factory)); the bundle
// calls the factory itself with @jupyter-widgets/base, as JupyterLab's loader would.
const anywidgetAmd = {
  name: 'anywidget-amd',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]anywidget[\\/]dist[\\/]index\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const define = 'define(["@jupyter-widgets/base"], widget_default);';
      if (!src.includes(define)) {
        throw new Error('anywidget: its AMD define() call has changed; update build.mjs');
      }
      return { contents: src.replace(define, 'export default widget_default;'), loader: 'js' };
    });
  },
};

/** The licence of each npm package in the bundle, from its package.json and licence file. */
function licences(metafile) {
  const packages = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = input.match(/^(node_modules\/(?:.+\/node_modules\/)?(?:@[^/]+\/)?[^/]+)\//);
      if (m && bytesInOutput > 0) {
        packages.set(m[1], true);
      }
    }
  }
  const parts = [];
  for (const dir of [...packages.keys()].sort()) {
    const pkg = JSON.parse(readFileSync(join(HERE, dir, 'package.json'), 'utf8'));
    const file = readdirSync(join(HERE, dir)).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    const text = file ? readFileSync(join(HERE, dir, file), 'utf8').trim() : '(no licence file in the package)';
    parts.push(`${pkg.name} ${pkg.version} (${pkg.license ?? 'licence not stated'})\n\n${text}\n`);
  }
  return `Packages bundled in ${NAME}.js and ${NAME}.css, with their licences.\n\n` +
    parts.join('\n' + '-'.repeat(72) + '\n\n');
}

function writeAtomic(path, data) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

async function main() {
  const digest = sourceDigest();
  const banner = `/* ${NAME}, built by heavylegs' frontend/build.mjs from sources sha256:${digest} */`;
  const result = await esbuild.build({
    entryPoints: { [NAME]: join(HERE, 'src', 'index.js') },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    outdir: OUT,
    metafile: true,
    legalComments: 'none', // the licences are written in full to heavylegs-page.licenses.txt
    banner: { js: banner, css: banner },
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [anywidgetAmd],
    logLevel: 'warning',
  });
  const names = result.outputFiles.map((f) => relative(OUT, f.path)).sort();
  if (names.join(' ') !== `${NAME}.css ${NAME}.js`) {
    throw new Error(`unexpected build outputs: ${names.join(', ')}`);
  }
  if (!existsSync(OUT)) {
    mkdirSync(OUT, { recursive: true });
  }
  for (const f of result.outputFiles) {
    writeAtomic(f.path, f.contents);
  }
  writeAtomic(join(OUT, `${NAME}.licenses.txt`), licences(result.metafile));
  for (const f of result.outputFiles) {
    console.log(`${relative(process.cwd(), f.path)}  ${f.contents.length} bytes`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
