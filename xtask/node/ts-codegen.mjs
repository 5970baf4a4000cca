// Node side of `cargo xtask codegen` for `schemas/ts/`.
//
// Reads a JSON array of {"id": "<kind id>", "schema": <input>} (the inputs that
// xtask/src/ts.rs derives from the exported schemas) and prints one JSON object:
// {"tool": "json-schema-to-typescript <version>", "files": {"<kind id>": "<text>"}}.
// Every declaration is named exactly by its schema's `title`: json-schema-to-typescript
// would otherwise re-case names (`S2s` -> `S2S`), so titles go through placeholders
// that its name mangling leaves alone. It writes nothing.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { compile } from "json-schema-to-typescript";

const inputs = JSON.parse(readFileSync(process.argv[2], "utf-8"));
const titles = [];
const placeholder = (title) => {
  let i = titles.indexOf(title);
  if (i < 0) i = titles.push(title) - 1;
  return `Zlivechatname${i}Z`;
};
const files = {};
for (const { id, schema } of inputs) {
  const text = await compile(schema, schema.title, {
    bannerComment: "",
    // A schema without `additionalProperties` is closed, as every model is.
    additionalProperties: false,
    customName: (s) => (typeof s.title === "string" ? placeholder(s.title) : undefined),
    declareExternallyReferenced: true,
    format: true,
    // Item counts stay in the schemas (a 200-item bound is no tuple).
    ignoreMinAndMaxItems: true,
    // A map's value may be missing: `[k: string]: T | undefined`.
    strictIndexSignatures: true,
    // Every `$defs` entry is declared, referenced through `tsType` by its name.
    unreachableDefinitions: true,
    unknownAny: true,
  });
  files[id] = text.replace(/Zlivechatname(\d+)Z/g, (_, i) => titles[Number(i)]);
}
const version = createRequire(import.meta.url)("json-schema-to-typescript/package.json").version;
process.stdout.write(JSON.stringify({ tool: `json-schema-to-typescript ${version}`, files }));
