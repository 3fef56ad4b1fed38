// Runs a portable benchmark on MicroPython: the exact build the bundle ships, loaded in Node the
// way PyScript loads it. The benchmark module's `main()` prints its own report.
//
//   node tests/bench/run_mp.mjs tests/bench/bench_core.py
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const target = process.argv[2];
if (!target) {
  console.error("usage: node tests/bench/run_mp.mjs tests/bench/<bench>.py");
  process.exit(2);
}
const mpDir = execFileSync("python3", [path.join(root, "build.py"), "vendor-path", "micropython"], {
  encoding: "utf8",
}).trim();
const { loadMicroPython } = await import(pathToFileURL(path.join(mpDir, "micropython.mjs")).href);
const mp = await loadMicroPython({
  stdout: (line) => process.stdout.write(line + "\n"),
  stderr: (line) => process.stderr.write(line + "\n"),
});
function copyTree(rel) {
  mp.FS.mkdirTree("/repo/" + rel);
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const child = rel + "/" + entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== "__pycache__" && child !== "widget/browser") copyTree(child);
    } else if (entry.name.endsWith(".py") || rel.startsWith("tests/fixtures")) {
      mp.FS.writeFile("/repo/" + child, fs.readFileSync(path.join(root, child)));
    }
  }
}
for (const rel of ["widget", "tests/bench", "tests/portable", "tests/fixtures/streams"]) copyTree(rel);
mp.FS.writeFile("/repo/tests/__init__.py", "");
const module = "tests.bench." + path.basename(target, ".py");
try {
  await mp.runPythonAsync(`
import sys, os
sys.path.insert(0, "/repo")
os.chdir("/repo")
_m = __import__(${JSON.stringify(module)}, None, None, ["main"])
_r = _m.main()
if _r is not None and hasattr(_r, "send"):
    await _r
`);
} catch (error) {
  console.error(String(error.message || error).slice(-3000));
  process.exit(1);
}
