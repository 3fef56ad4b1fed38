// Runs the portable tests on MicroPython: the exact build the bundle ships (vendored from npm
// by `python3 build.py vendor`), loaded in Node.js the way PyScript loads it in the browser
// (loadMicroPython with PyScript's default options, so the same 1 MiB initial heap that grows
// in ~1 MB areas: a single allocation of about 1,000,000 bytes or more fails, as in a page).
//
//   node tests/portable/mp_runner.mjs [-k SUBSTRING] [test_file.py ...]
//
// Test files are plain modules with `test_*` functions (sync or async) and bare asserts; the
// same files are collected by pytest on CPython.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
let keyword = "";
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "-k") keyword = args[++i];
  else files.push(path.basename(args[i]));
}

const mpDir = execFileSync("python3", [path.join(root, "build.py"), "vendor-path", "micropython"], {
  encoding: "utf8",
}).trim();
const { loadMicroPython } = await import(pathToFileURL(path.join(mpDir, "micropython.mjs")).href);

let out = "";
const mp = await loadMicroPython({
  stdout: (line) => process.stdout.write(line + "\n"),
  stderr: (line) => process.stderr.write(line + "\n"),
});

// Copy the repository's portable tree into the interpreter's in-memory file system, keeping
// the layout so `tests/portable/_support.py` finds `tests/fixtures/` next to itself.
function copyTree(rel, filter) {
  const src = path.join(root, rel);
  mp.FS.mkdirTree("/repo/" + rel);
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const childRel = rel + "/" + entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== "__pycache__" && filter(childRel, true)) copyTree(childRel, filter);
    } else if (filter(childRel, false)) {
      mp.FS.writeFile("/repo/" + childRel, fs.readFileSync(path.join(root, childRel)));
    }
  }
}
copyTree("widget", (rel, isDir) => rel !== "widget/browser" && (isDir || rel.endsWith(".py")));
copyTree("tests", (rel, isDir) =>
  isDir ? rel === "tests/portable" || rel.startsWith("tests/fixtures") : rel.startsWith("tests/fixtures/") || (rel.endsWith(".py") && !rel.endsWith("conftest.py")),
);

// The CommonMark spec's examples, streamed by test_render.py (the vendored npm package).
const specDir = execFileSync("python3", [path.join(root, "build.py"), "vendor-path", "commonmark-spec"], {
  encoding: "utf8",
}).trim();
mp.FS.mkdirTree("/repo/vendor/commonmark-spec");
mp.FS.writeFile("/repo/vendor/commonmark-spec/spec.txt", fs.readFileSync(path.join(specDir, "spec.txt")));

const testFiles = fs
  .readdirSync(path.join(root, "tests/portable"))
  .filter((n) => /^test_.*\.py$/.test(n) && (files.length === 0 || files.includes(n)))
  .sort();

mp.runPython(`
import sys, os
sys.path.insert(0, "/repo")
os.chdir("/repo")
`);
const started = Date.now();
await mp.runPythonAsync(`
import sys, io, time, asyncio
_results = {"passed": 0, "failed": 0, "failures": []}
for _mod_name in ${JSON.stringify(testFiles.map((f) => f.slice(0, -3)))}:
    try:
        _mod = __import__("tests.portable." + _mod_name, None, None, ["*"])
    except Exception as _exc:
        _buf = io.StringIO()
        sys.print_exception(_exc, _buf)
        _results["failed"] += 1
        _results["failures"].append(_mod_name + " (import)\\n" + _buf.getvalue())
        continue
    for _name in sorted(dir(_mod)):
        if not _name.startswith("test_") or ${JSON.stringify(keyword)} not in _mod_name + "::" + _name:
            continue
        _fn = getattr(_mod, _name)
        if not callable(_fn):
            continue
        _t0 = time.ticks_ms()
        try:
            _ret = _fn()
            if _ret is not None and hasattr(_ret, "send"):
                # In a task, as pytest's asyncio.run does: on MicroPython's browser build a
                # coroutine awaited from the top level is resumed through a JS timer, tasks
                # run back to back (a virtual clock judges "idle" by the tasks' turns).
                await asyncio.create_task(_ret)
            _results["passed"] += 1
        except Exception as _exc:
            _buf = io.StringIO()
            sys.print_exception(_exc, _buf)
            _results["failed"] += 1
            _results["failures"].append(_mod_name + "::" + _name + "\\n" + _buf.getvalue())
        _ms = time.ticks_diff(time.ticks_ms(), _t0)
        if _ms > 2000:
            print("slow: %s::%s %d ms" % (_mod_name, _name, _ms))
import json
_summary = json.dumps(_results)
`);
const res = JSON.parse(mp.globals.get("_summary"));
for (const f of res.failures) console.log("FAILED " + f);
console.log(
  `MicroPython ${res.failed ? "FAILED" : "passed"}: ${res.passed} passed, ${res.failed} failed ` +
    `(${testFiles.length} files, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
process.exit(res.failed || testFiles.length === 0 ? 1 : 0);
