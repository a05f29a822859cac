// Compiles tests/fixtures/chain/contracts/*.sol with the npm solc package.json pins and
// writes one artifact per contract to an output directory (argv[2], default
// tests/fixtures/chain/artifacts/): {"contract", "solc", "abi", "bytecode", "deployedBytecode"}.
// Settings: optimizer on (200 runs), evmVersion "paris". Sources are passed by bare file name
// (TestToken.sol, not a path), so the metadata hash in the bytecode does not depend on where
// the checkout lives and the output is byte-identical from run to run. scripts/compile-contracts
// runs this; see tests/fixtures/chain/README.md.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const solc = require("solc");

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const contractsDir = join(root, "tests/fixtures/chain/contracts");
const outDir = resolve(process.argv[2] ?? join(root, "tests/fixtures/chain/artifacts"));

const files = readdirSync(contractsDir).filter((f) => f.endsWith(".sol")).sort();
if (files.length === 0) {
  console.error(`compile-contracts: no .sol files in ${contractsDir}`);
  process.exit(1);
}

const sources = {};
for (const f of files) sources[f] = { content: readFileSync(join(contractsDir, f), "utf8") };

const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "paris",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};

// No imports are allowed, so there is no import callback: an import fails the compile. A
// warning fails the run too: the fixtures compile cleanly.
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const problems = output.errors ?? [];
for (const e of problems) console.error(e.formattedMessage ?? e.message);
if (problems.length > 0) {
  console.error("compile-contracts: solc reported problems (above)");
  process.exit(1);
}

// "0.8.37+commit.f401782d.Emscripten.clang" -> "0.8.37+commit.f401782d"
const version = solc.version().replace(/\.Emscripten\.clang$/, "");

mkdirSync(outDir, { recursive: true });
for (const f of files) {
  const name = f.replace(/\.sol$/, "");
  const compiled = output.contracts?.[f]?.[name];
  if (!compiled) {
    console.error(`compile-contracts: ${f} defines no contract named ${name}`);
    process.exit(1);
  }
  const artifact = {
    contract: name,
    solc: version,
    abi: compiled.abi,
    bytecode: "0x" + compiled.evm.bytecode.object,
    deployedBytecode: "0x" + compiled.evm.deployedBytecode.object,
  };
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + "\n");
  console.error(`compile-contracts: ${name}.json (${compiled.evm.deployedBytecode.object.length / 2} bytes deployed)`);
}
