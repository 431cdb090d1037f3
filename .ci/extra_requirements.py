"""Prints the requirements of one of pyproject.toml's optional-dependency groups, one per line,
so CI can install a tool group without building gradfall again:
``pip install $(python .ci/extra_requirements.py docs)``."""
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

if __name__ == "__main__":
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    print("\n".join(project["optional-dependencies"][sys.argv[1]]))
