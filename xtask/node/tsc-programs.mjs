// Node side of `cargo xtask ts-check`: the TypeScript compiler, through its API.
//
// Reads a JSON array of programs, {"name", "files": [paths], "options": {tsconfig
// compilerOptions}}, compiles each (emitting only when the options ask for an
// `outDir`) and prints one JSON object: {"tool": "typescript <version>", "programs":
// {"<name>": [{"file", "line" (1-based), "code", "category", "message"}]}}, every
// diagnostic of every file, the declaration files included. Deciding what the
// diagnostics mean is the xtask's job.

import { readFileSync } from "node:fs";
import ts from "typescript";

const programs = JSON.parse(readFileSync(process.argv[2], "utf-8"));
const out = {};
for (const { name, files, options } of programs) {
  const converted = ts.convertCompilerOptionsFromJson(options, process.cwd());
  if (converted.errors.length > 0) {
    throw new Error(`${name}: ${ts.formatDiagnostics(converted.errors, ts.createCompilerHost({}))}`);
  }
  const program = ts.createProgram(files, converted.options);
  const diagnostics = [...ts.getPreEmitDiagnostics(program)];
  if (converted.options.outDir) diagnostics.push(...program.emit().diagnostics);
  out[name] = diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    return {
      file: d.file ? d.file.fileName : null,
      line: where ? where.line + 1 : null,
      code: d.code,
      category: ts.DiagnosticCategory[d.category],
      message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    };
  });
}
process.stdout.write(JSON.stringify({ tool: `typescript ${ts.version}`, programs: out }));
