"""Mutation testing: apply each mutation of ``tools/mutations.py`` to a copy of the project,
rebuild incrementally, run the test suite until its first failure, and report how many
mutations the tests kill.

    python tools/mutate.py                  # every mutation (about 90 minutes on 2 cores)
    python tools/mutate.py NAME [NAME ...]   # some of them
    python tools/mutate.py --check           # only check that every mutation applies

The copy (``build/mutants/src``) gets its own virtual environment with an editable install, so
the developer's tree, build and environment are never touched; a C++ mutation rebuilds only
the files it changes. A mutation is *killed* when the suite fails, *timed out* when the suite
runs past ``--timeout`` (killed too, reported apart), *survived* when every test passes, and
*unbuilt* when it does not compile (left out of the score). Not run by CI: it takes long.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutations import EXPECTED_SURVIVORS, MUTATIONS, Mutation  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# The suite's numeric core first, so a killed mutation usually fails within seconds.
FIRST_TESTS = ["tests/test_forward.py", "tests/test_backward.py", "tests/test_losses.py",
               "tests/test_optimizers.py", "tests/test_gemm_kernels.py", "tests/test_matmul.py",
               "tests/test_dropout.py", "tests/test_serialization.py", "tests/test_bad_input.py"]


def apply(text: str, mutation: Mutation) -> str:
    """``text`` with the mutation's chosen occurrence of its original replaced."""
    at = -1
    for _ in range(mutation.occurrence + 1):
        at = text.find(mutation.original, at + 1)
        if at < 0:
            raise ValueError(f"{mutation.name}: original text not found in {mutation.path}")
    return text[:at] + mutation.mutated + text[at + len(mutation.original):]


def run(command, cwd, timeout=None, env=None):
    return subprocess.run(command, cwd=cwd, env=env, timeout=timeout, capture_output=True,
                          text=True)


def copy_project(src: Path) -> None:
    """The repository's tracked files into ``src``, leaving its build directory in place."""
    files = run(["git", "ls-files", "-z"], ROOT).stdout.split("\0")
    for name in filter(None, files):
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != (ROOT / name).read_bytes():
            shutil.copy2(ROOT / name, target)


def prepare(workdir: Path) -> Path:
    """The copy and its environment; returns the environment's python."""
    src, venv = workdir / "src", workdir / "venv"
    copy_project(src)
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "--upgrade", "pip",
                        "scikit-build-core", "pybind11", "ninja", "cmake"], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "--no-build-isolation",
                        "-Ceditable.rebuild=true", "-Ceditable.verbose=false",
                        "-Cbuild-dir=build/mutant", "-e", ".[test,mpi,dask]"],
                       cwd=src, check=True)
    return python


def build(python: Path, src: Path) -> bool:
    """Rebuilds the extension (the editable install does it on import); False if it fails."""
    return run([python, "-c", "import gradfall"], src, timeout=1200).returncode == 0


def suite(python: Path, src: Path, timeout: float, deselect: list) -> tuple:
    """(outcome, seconds, first failing test) of one run of the suite, stopping at the first
    failure."""
    command = [python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *FIRST_TESTS,
               "tests"] + [f"--deselect={d}" for d in deselect]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    try:
        result = run(command, src, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return "timed out", time.perf_counter() - start, ""
    seconds = time.perf_counter() - start
    if result.returncode == 0:
        return "survived", seconds, ""
    failed = [line.split(" ")[1] for line in result.stdout.splitlines()
              if line.startswith(("FAILED ", "ERROR "))]
    return "killed", seconds, failed[0] if failed else f"exit {result.returncode}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--check", action="store_true", help="only check that each applies")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per suite run")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "mutants")
    parser.add_argument("--deselect", action="append", default=[],
                        help="a test to leave out (one that fails without any mutation)")
    args = parser.parse_args(argv)
    unknown = set(args.names) - {m.name for m in MUTATIONS}
    if unknown:
        parser.error(f"unknown mutations: {', '.join(sorted(unknown))}")
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    stale = []
    for mutation in chosen:  # every mutation must apply before any is run
        text = (ROOT / mutation.path).read_text()
        try:
            if apply(text, mutation) == text:
                stale.append(f"{mutation.name}: the mutation changes nothing")
        except ValueError as error:
            stale.append(str(error))
    if stale:
        print("\n".join(stale))
        return 2
    print(f"{len(chosen)} mutations apply")
    if args.check:
        return 0

    src = args.workdir / "src"
    python = prepare(args.workdir)
    if not build(python, src):
        print("the unmutated copy does not build")
        return 2
    outcome, seconds, failed = suite(python, src, args.timeout, args.deselect)
    if outcome != "survived":
        print(f"the unmutated suite does not pass ({outcome}: {failed}); use --deselect")
        return 2
    print(f"unmutated suite: passed in {seconds:.0f} s")
    results = []
    for mutation in chosen:
        path = src / mutation.path
        original = path.read_text()
        try:
            path.write_text(apply(original, mutation))
            if build(python, src):
                outcome, seconds, failed = suite(python, src, args.timeout, args.deselect)
            else:
                outcome, seconds, failed = "unbuilt", 0.0, ""
        finally:
            path.write_text(original)
        results.append((mutation, outcome, seconds, failed))
        print(f"{mutation.name:<30} {outcome:<10} {seconds:6.0f} s  {failed}", flush=True)
    build(python, src)  # leave the copy's build unmutated for the next run
    return report(results)


def report(results) -> int:
    counts = {k: sum(1 for _, outcome, _, _ in results if outcome == k)
              for k in ("killed", "timed out", "survived", "unbuilt")}
    scored = len(results) - counts["unbuilt"]
    score = (counts["killed"] + counts["timed out"]) / scored if scored else 0.0
    print(f"\n{'mutation':<30} {'outcome':<10} {'where':<40} first failing test")
    for mutation, outcome, _, failed in results:
        print(f"{mutation.name:<30} {outcome:<10} {mutation.path:<40} {failed}")
    print(f"\nkilled {counts['killed']}, timed out {counts['timed out']}, survived "
          f"{counts['survived']}, unbuilt {counts['unbuilt']}: score {score:.0%} "
          f"({counts['killed'] + counts['timed out']}/{scored})")
    survivors = [m for m, outcome, _, _ in results if outcome == "survived"]
    for mutation in survivors:
        reason = EXPECTED_SURVIVORS.get(mutation.name, "NOT EXPECTED: " + mutation.bug)
        print(f"  survivor {mutation.name}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
