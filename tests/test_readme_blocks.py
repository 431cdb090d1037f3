"""The README works as written.

* Every ```python block runs on its own, in a fresh interpreter in an empty directory (so a
  block must define what it uses), with warnings as errors, and writes the files it names; a
  block that needs an optional package that is not installed is skipped, naming it.
* Every command of the ```bash blocks names what exists: pip extras in pyproject.toml, gradfall's
  subcommands and flags (checked against --help), the benchmark's flags, scripts and files. The
  command-line session (commands of gradfall alone) runs for real.
* The synopsis lines of ```text blocks use real flags, and every picture and link the README
  points to is there.
"""
import ast
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

import gradfall

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PACKAGE_PARENT = os.path.dirname(os.path.dirname(gradfall.__file__))
# The child interpreter imports the gradfall under test and finds its `gradfall` command.
CHILD_ENV = {**os.environ, "OMP_NUM_THREADS": "1",
             "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]),
             "PYTHONPATH": os.pathsep.join([PACKAGE_PARENT, os.environ.get("PYTHONPATH", "")])}

# Import name -> what to pip install, for the optional packages a block may need.
OPTIONAL_PACKAGES = {"sklearn": "scikit-learn", "scipy": "scipy", "matplotlib": "matplotlib",
                     "onnx": "onnx", "onnxruntime": "onnxruntime", "torch": "torch",
                     "mpi4py": "mpi4py", "dask": "dask", "pandas": "pandas", "tqdm": "tqdm"}
# gradfall features that import optional packages when used.
FEATURE_NEEDS = {r"\bgradfall\.sklearn\b": ("sklearn", "scipy"), r"\.plot\.": ("matplotlib",),
                 r"\b(to|from)_onnx\(": ("onnx",), r"\bgradfall\.distributed\b": ("mpi4py",)}
# What particular blocks must also do, beyond running: (a line of the block, appended checks).
BLOCK_CHECKS = {
    "net = gf.Network([64, 32, 10]": """
assert proba.shape == (X.shape[0], 10)
assert [w.shape for w in dW] == [w.shape for w in net.weights]
assert (net2.predict(X) == labels).all()
assert len(history.loss) == 20 and history.loss[-1] < history.loss[0]
""",
    "clf = MLPClassifier(": """
assert clf.score(X, y) > 0.9 and reg.score(X, target) > 0.8
""",
    "surface = gf.landscape.surface(": """
assert surface.losses.shape == before.losses.shape == (31, 31)
assert path.losses[path.alphas == 1.0][0] < path.losses[path.alphas == 0.0][0]
""",
}
CLI_SUBCOMMANDS = ("train", "predict", "landscape")
# Programs a bash block may run that this test cannot check further (tools from PyPI).
EXTERNAL_MODULES = ("build",)


@dataclass(frozen=True)
class Block:
    language: str
    line: int  # the README line of the opening fence
    code: str

    def __str__(self):
        return f"{self.language}-line{self.line}"


def _blocks():
    text = README.read_text(encoding="utf-8")
    return [Block(m.group(1), text.count("\n", 0, m.start()) + 1, m.group(2))
            for m in re.finditer(r"^```(\w+)\n(.*?)^```", text, re.M | re.S)]


BLOCKS = _blocks()
PYTHON_BLOCKS = [b for b in BLOCKS if b.language == "python"]
BASH_BLOCKS = [b for b in BLOCKS if b.language == "bash"]
TEXT_BLOCKS = [b for b in BLOCKS if b.language == "text"]


def test_the_readme_has_the_blocks_this_file_checks():
    assert len(PYTHON_BLOCKS) >= 5 and len(BASH_BLOCKS) >= 4
    for marker in BLOCK_CHECKS:
        assert any(marker in b.code for b in PYTHON_BLOCKS), marker


# ---------------------------------------------------------------- python blocks
def needed_packages(code):
    """The optional packages (import names) a block imports or uses through gradfall."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update((node.module.split(".")[0], node.module))
    needed = {n for n in names if n in OPTIONAL_PACKAGES}
    for pattern, packages in FEATURE_NEEDS.items():
        if re.search(pattern, code) or any(re.search(pattern, n) for n in names):
            needed.update(packages)
    return sorted(needed)


def written_files(code):
    """The file names a block passes as string literals (model files, figures, ONNX)."""
    return sorted({node.value for node in ast.walk(ast.parse(code))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)
                   and re.fullmatch(r"[\w.-]+\.(png|gfnet|onnx)", node.value)})


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=str)
def test_python_block_runs_on_its_own(block, tmp_path):
    missing = [n for n in needed_packages(block.code) if importlib.util.find_spec(n) is None]
    if missing:
        pytest.skip(f"README line {block.line} needs {', '.join(missing)}, which is not installed "
                    f"(pip install {' '.join(OPTIONAL_PACKAGES[n] for n in missing)})")
    checks = "".join(extra for marker, extra in BLOCK_CHECKS.items() if marker in block.code)
    script = tmp_path / "readme_block.py"
    script.write_text(block.code + checks, encoding="utf-8")
    done = subprocess.run([sys.executable, "-W", "error", script.name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env=CHILD_ENV)
    assert done.returncode == 0, f"README line {block.line}:\n{done.stderr}"
    for name in written_files(block.code):
        assert (tmp_path / name).is_file(), f"README line {block.line} did not write {name}"


def test_the_network_example_prints_the_network_and_the_configuration(tmp_path):
    block = next(b for b in PYTHON_BLOCKS if "net = gf.Network([64, 32, 10]" in b.code)
    done = subprocess.run([sys.executable, "-c", block.code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=CHILD_ENV)
    assert done.returncode == 0, done.stderr
    assert "isa" in done.stdout and "Network" in done.stdout


# ---------------------------------------------------------------- bash and text blocks
def commands(code):
    """Each command of a shell block as its words, split at &&, ||, ; and |."""
    for line in code.replace("\\\n", " ").splitlines():
        command = []
        for word in shlex.split(line, comments=True) + [";"]:
            if word in ("&&", "||", ";", "|"):
                if command:
                    yield command
                command = []
            else:
                command.append(word)


def pyproject_extras():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["optional-dependencies"]


@lru_cache(maxsize=None)
def help_text(*argv):
    done = subprocess.run([sys.executable, *argv, "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=CHILD_ENV)
    assert done.returncode == 0, f"{' '.join(argv)} --help: {done.stderr}"
    return done.stdout


def flags(words):
    return [w.split("=")[0] for w in words if re.fullmatch(r"--?[A-Za-z][\w-]*(=.*)?", w)]


def check_flags(words, help_argv):
    usage = help_text(*help_argv)
    for flag in flags(words):
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", usage), \
            f"{' '.join(help_argv)} has no flag {flag}"


def check_gradfall(args):
    """``gradfall ARGS`` (or ``python -m gradfall ARGS``): a real subcommand with real flags."""
    if args and not args[0].startswith("-"):
        assert args[0] in CLI_SUBCOMMANDS, f"gradfall has no command {args[0]!r}"
        check_flags(args, ("-m", "gradfall", args[0]))
    else:
        check_flags(args, ("-m", "gradfall"))


def check_command(words):
    program, args = words[0], words[1:]
    if program == "pip":
        assert args[0] == "install", words
        for spec in args[1:]:
            extra = re.fullmatch(r"(?:\.|gradfall)\[([\w,-]+)\]", spec)
            if extra:
                for name in extra.group(1).split(","):
                    assert name in pyproject_extras(), f"pyproject.toml has no extra {name!r}"
    elif program == "gradfall":
        check_gradfall(args)
    elif program == "python" and args[:2] == ["-m", "gradfall"]:
        check_gradfall(args[2:])
    elif program == "python" and args[:2] == ["-m", "bench"]:
        check_flags(args[2:], ("-m", "bench"))
    elif program == "python" and args[:1] == ["-m"]:
        assert args[1] in EXTERNAL_MODULES, f"unchecked module {args[1]}"
    elif program == "python" and args[:1] == ["-c"]:
        compile(args[1], "<README python -c>", "exec")
    elif program == "python":
        assert (ROOT / args[0]).is_file(), f"no script {args[0]}"
        check_flags(args[1:], (args[0],))
    elif program == "bash":
        assert (ROOT / args[0]).is_file(), f"no script {args[0]}"
    else:
        assert program == "pytest", f"the README runs {program!r}, which this test cannot check"


@pytest.mark.parametrize("block", BASH_BLOCKS, ids=str)
def test_bash_block_names_real_extras_commands_and_flags(block):
    for words in commands(block.code):
        check_command(words)


def is_session(block):
    """A block of gradfall commands alone (with ``python -c`` to make its data): cheap to run."""
    return all(w[0] == "gradfall" or w[:2] == ["python", "-c"] for w in commands(block.code))


@pytest.mark.parametrize("block", [b for b in BASH_BLOCKS if is_session(b)], ids=str)
def test_the_command_line_session_runs(block, tmp_path):
    done = subprocess.run(["bash", "-e", "-c", block.code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=CHILD_ENV)
    assert done.returncode == 0, f"README line {block.line}:\n{done.stdout}\n{done.stderr}"
    for words in commands(block.code):
        if "-o" in words:
            assert (tmp_path / words[words.index("-o") + 1]).is_file(), words


def test_the_readme_has_a_command_line_session():
    assert any(is_session(b) for b in BASH_BLOCKS)


@pytest.mark.parametrize("block", TEXT_BLOCKS, ids=str)
def test_synopsis_lines_use_real_flags(block):
    for line in block.code.splitlines():
        line = line.split("#")[0]
        words = line.replace("|", " ").replace("[", " ").replace("]", " ").split()
        if words[:1] == ["gradfall"] and len(words) > 1 and (
                words[1] in CLI_SUBCOMMANDS or words[1].startswith("-")):
            check_gradfall(words[1:])
        elif words[:3] == ["python", "-m", "gradfall"]:
            check_gradfall(words[3:])


def test_the_first_command_installs_the_figures_dependencies_and_runs_the_main_job():
    first = list(commands(BASH_BLOCKS[0].code))
    assert first[0][:2] == ["pip", "install"] and first[-1] == ["python", "-m", "gradfall"]
    extras = [m.group(1) for spec in first[0][2:]
              for m in [re.fullmatch(r"\.\[([\w,-]+)\]", spec)] if m]
    assert extras, "the first command installs no extra"
    requirements = [r for e in extras[0].split(",") for r in pyproject_extras()[e]]
    assert any(r.startswith("matplotlib") for r in requirements)


def test_pictures_and_links_point_at_files():
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#:]+)\)", text)  # relative paths, not URLs or anchors
    assert any(t.endswith(".png") for t in targets)
    for target in targets:
        assert (ROOT / target).is_file(), f"the README points at {target}, which is missing"
