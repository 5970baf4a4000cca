// Node side of `cargo xtask crossval`.
//
// Reads a manifest (a JSON array of {"path", "schema"} objects, written by the xtask)
// and prints, as one JSON object on stdout, the verdict of ajv (Ajv2020, strict, with
// ajv-formats) for every file: {"tool": "ajv <version>", "verdicts": {"<path>":
// {"valid": bool, "error": "<first error or null>"}}}. A file that is not strict UTF-8 JSON is invalid ("unparsable"). It never
// writes anywhere else.

import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { createRequire } from "node:module";

// Strict mode stays on (unknown keywords and formats, ignored defaults, ... are errors),
// except `strictTypes` and `strictRequired`: they ask for a `type` and `properties`
// next to `required` in subschemas (`contains`, `if`), style choices of ajv's that
// change no verdict (ajv's own default leaves `strictRequired` off too).
const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false });
addFormats(ajv);
// Our own keywords (`x-livechat-path`: the file's path pattern, `x-livechat-secret`:
// a secret to redact, ...) are annotations: strict mode stays on for everything else,
// and each `x-livechat-*` keyword found in the schemas is declared as one.
const annotations = new Set();
const collect = (node) => {
  if (Array.isArray(node)) node.forEach(collect);
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith("x-livechat-")) annotations.add(key);
      collect(value);
    }
  }
};
// schemars' integer formats are annotations: Python's jsonschema and the jsonschema
// crate ignore unknown formats, so ajv is told to ignore them too.
for (const name of ["uint", "uint8", "uint16", "uint32", "uint64", "int", "int8", "int16", "int32", "int64", "double", "float"]) {
  ajv.addFormat(name, true);
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const load = (path) => JSON.parse(decoder.decode(readFileSync(path)));

const manifest = JSON.parse(readFileSync(process.argv[2], "utf-8"));
const schemas = new Map();
for (const entry of manifest) {
  if (!schemas.has(entry.schema)) schemas.set(entry.schema, load(entry.schema));
}
schemas.forEach(collect);
for (const keyword of annotations) ajv.addKeyword({ keyword });
const validators = new Map();
const verdicts = {};
for (const entry of manifest) {
  let validate = validators.get(entry.schema);
  if (!validate) {
    validate = ajv.compile(schemas.get(entry.schema));
    validators.set(entry.schema, validate);
  }
  let instance;
  try {
    instance = load(entry.path);
  } catch (err) {
    verdicts[entry.path] = { valid: false, error: `unparsable: ${err.message}` };
    continue;
  }
  const valid = validate(instance);
  const first = valid ? null : validate.errors[0];
  verdicts[entry.path] = {
    valid,
    error: first ? `${first.instancePath || "/"}: ${first.keyword}: ${first.message}` : null,
  };
}
const ajvVersion = createRequire(import.meta.url)("ajv/package.json").version;
process.stdout.write(JSON.stringify({ tool: `ajv ${ajvVersion}`, verdicts }));
