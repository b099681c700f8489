// Runs the schema-based BIDS validator that the npm package bids-validator bundles for Deno
// (dist/validator/bids-validator.js) under Node.js: @deno/shim-deno supplies the Deno namespace, and the
// one file call the shim leaves unimplemented (seek, for reading byte ranges of NIfTI headers) is given
// here. VOXFLOW_BIDS_VALIDATOR_DIR is the folder both packages are installed in (scripts/bids-validator.sh).
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";

const dir = process.env.VOXFLOW_BIDS_VALIDATOR_DIR;
const modules = path.join(dir, "node_modules");
const { Deno: shim } = await import(pathToFileURL(path.join(modules, "@deno/shim-deno/dist/index.mjs")));

// A read-only file handle with the calls the validator makes: seek, read, close and a readable stream.
class ReadHandle {
  constructor(file) {
    this.fd = fs.openSync(file, "r");
    this.position = 0;
  }
  async seek(offset, whence) {
    const end = () => fs.fstatSync(this.fd).size;
    this.position = whence === 0 ? offset : whence === 1 ? this.position + offset : end() + offset;
    return this.position;
  }
  async read(buffer) {
    const n = fs.readSync(this.fd, buffer, 0, buffer.length, this.position);
    this.position += n;
    return n === 0 ? null : n;
  }
  close() {
    fs.closeSync(this.fd);
  }
  get readable() {
    return Readable.toWeb(fs.createReadStream("", { fd: this.fd, start: this.position, autoClose: true }));
  }
}

globalThis.Deno = new Proxy(shim, {
  get(target, name) {
    return name === "openSync" ? (file) => new ReadHandle(file) : target[name];
  },
});
await import(pathToFileURL(path.join(modules, "bids-validator/dist/validator/bids-validator.js")));
