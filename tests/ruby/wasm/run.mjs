// run.mjs: runs a Ruby program under one of the WebAssembly builds of Ruby
// (the @ruby/VERSION-wasm-wasi packages of package.json), for the fixtures
// in tests/modern/.
//
//   node tests/ruby/wasm/run.mjs VERSION APPDIR ENTRY OUTDIR [NAME=VALUE]...
//
// VERSION is 3.2, 3.3, 3.4 or 4.0. Every file under APPDIR is put, read-only,
// in an in-memory directory that Ruby sees as /app, and Ruby runs
// `load "/app/ENTRY"`, so what the program allocates is recorded at file
// names such as /app/lib/memo.rb: no path of the machine running it reaches
// Ruby. Ruby may write files under /out, another in-memory directory, which
// is copied to OUTDIR when the program is done. NAME=VALUE pairs are Ruby's
// ENV. Ruby starts with --disable-gems, as the native fixtures do. The exit
// status is 1 when the program raised.
//
// WASI is @bjorn3/browser_wasi_shim, the shim @ruby/wasm-wasi is built
// against; node's own node:wasi has crashed inside V8's garbage collector
// once the Ruby heap grows.
import { readFile, readdir, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { WASI, File, OpenFile, ConsoleStdout, PreopenDirectory, Directory } from "@bjorn3/browser_wasi_shim";
import { RubyVM } from "@ruby/wasm-wasi";

const VERSIONS = ["3.2", "3.3", "3.4", "4.0"];
const [version, appdir, entry, outdir, ...env] = process.argv.slice(2);
if (!VERSIONS.includes(version) || !appdir || !entry || !outdir || env.some((e) => !e.includes("="))) {
  console.error(`usage: node run.mjs {${VERSIONS.join(",")}} APPDIR ENTRY OUTDIR [NAME=VALUE]...`);
  process.exit(2);
}

// APPDIR as a tree of in-memory files.
async function tree(dir) {
  const contents = new Map();
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) contents.set(e.name, new Directory(await tree(path)));
    else if (e.isFile()) contents.set(e.name, new File(await readFile(path), { readonly: true }));
  }
  return contents;
}

// The in-memory /out, written back below OUTDIR.
async function copyOut(contents, dir) {
  await mkdir(dir, { recursive: true });
  for (const [name, node] of contents) {
    if (node instanceof Directory) await copyOut(node.contents, join(dir, name));
    else await writeFile(join(dir, name), node.data);
  }
}

const wasm = new URL(`./node_modules/@ruby/${version}-wasm-wasi/dist/ruby+stdlib.wasm`, import.meta.url);
const module = await WebAssembly.compile(await readFile(wasm));
const out = new PreopenDirectory("/out", new Map());
const fds = [
  new OpenFile(new File([])),
  ConsoleStdout.lineBuffered((line) => console.log(line)),
  ConsoleStdout.lineBuffered((line) => console.error(line)),
  new PreopenDirectory("/app", await tree(appdir)),
  out,
];
const wasi = new WASI(["ruby"], env, fds, { debug: false });
const { vm } = await RubyVM.instantiateModule({
  module,
  wasip1: wasi,
  args: ["ruby.wasm", "--disable-gems", "-EUTF-8", "-e_=0"],
});
let status = 0;
try {
  vm.eval(`load ${JSON.stringify(`/app/${entry}`)}`);
} catch (e) {
  console.error(`run.mjs: Ruby ${version}: ${e}`);
  status = 1;
}
await copyOut(out.dir.contents, outdir);
process.exitCode = status;
