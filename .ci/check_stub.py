"""The committed stub of the extension, python/gradfall/_core.pyi, must be what pybind11-stubgen
writes for the installed gradfall._core: a binding changed without its stub fails here.

    python .ci/check_stub.py            check (exit status 1 and a diff when they differ)
    python .ci/check_stub.py --write    regenerate the committed stub
"""
import difflib
import subprocess
import sys
import tempfile
from pathlib import Path

COMMITTED = Path(__file__).resolve().parents[1] / "python" / "gradfall" / "_core.pyi"


def generated_stub() -> str:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "pybind11_stubgen", "--exit-code", "-o", out,
                        "gradfall._core"], check=True)
        return (Path(out) / "gradfall" / "_core.pyi").read_text(encoding="utf-8")


def main(argv: list) -> int:
    fresh = generated_stub()
    if "--write" in argv:
        COMMITTED.write_text(fresh, encoding="utf-8")
        print(f"wrote {COMMITTED}")
        return 0
    committed = COMMITTED.read_text(encoding="utf-8")
    if fresh == committed:
        print(f"stub: {COMMITTED.name} matches the built extension")
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        committed.splitlines(keepends=True), fresh.splitlines(keepends=True),
        "committed _core.pyi", "generated from the built gradfall._core"))
    print("stub: python/gradfall/_core.pyi differs from the built extension; regenerate it with "
          "python .ci/check_stub.py --write", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
