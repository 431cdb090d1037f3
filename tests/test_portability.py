"""The C++ core compiles warning-free with clang as well as gcc, each unit with the flags the
build gives it (CMakeLists.txt owns the per-ISA flags; they are read from there)."""
import pathlib
import platform
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = ROOT / "csrc"
X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")
COMMON_FLAGS = ["-std=c++17", "-fopenmp", "-fsyntax-only", "-Wall", "-Wextra",
                "-Wno-unused-parameter", "-Werror", f"-I{SOURCES}"]
COMPILERS = ("clang++", "g++")


def isa_flags(variable, compiler):
    """The GCC/clang flags CMakeLists.txt sets in `variable` (plus the GNU-only additions)."""
    text = (ROOT / "CMakeLists.txt").read_text()
    flags = re.findall(rf'set\({variable} "(-[^"]*)"\)', text)
    assert len(flags) == 1, f"CMakeLists.txt should set {variable} once for GCC/clang"
    flags = flags[0].split(";")
    if compiler == "g++":
        flags += re.findall(rf'list\(APPEND {variable} "(-[^"]*)"\)', text)
    return flags


def units():
    if not SOURCES.is_dir():
        return []
    found = sorted(SOURCES.glob("core/*.cpp")) + sorted(SOURCES.glob("kernels/*.cpp"))
    return [u for u in found if X86 or u.stem not in ("avx2", "avx512")]


def flags_for(unit, compiler):
    variable = {"avx2": "GF_AVX2_FLAGS", "avx512": "GF_AVX512_FLAGS"}.get(unit.stem)
    return isa_flags(variable, compiler) if variable else []


@pytest.mark.skipif(not SOURCES.is_dir(), reason="needs the C++ sources (an installed wheel has none)")
@pytest.mark.parametrize("compiler", COMPILERS)
def test_every_core_and_kernel_unit_compiles_cleanly(compiler):
    if shutil.which(compiler) is None:
        pytest.skip(f"{compiler} is not installed (Debian: apt-get install clang libomp-dev)")
    assert len(units()) >= 10
    failures = []
    for unit in units():
        command = [compiler, *COMMON_FLAGS, *flags_for(unit, compiler), str(unit)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            failures.append(f"{unit.relative_to(ROOT)}:\n{result.stderr[:3000]}")
    assert not failures, "\n".join(failures)


@pytest.mark.skipif(not SOURCES.is_dir(), reason="needs the C++ sources (an installed wheel has none)")
def test_no_compiler_specific_construct_outside_the_portability_headers():
    # Each has an MSVC equivalent behind a macro or helper; spelling it directly breaks MSVC.
    banned = re.compile(r"__int128|__builtin_|__attribute__|#pragma GCC|\baligned_alloc\b|__get_cpuid"
                        r"|__asm__")
    allowed = {"kernels/portable.h", "core/cpu_features.cpp", "core/aligned_memory.h"}
    hits = []
    for path in sorted(SOURCES.rglob("*")):
        name = path.relative_to(SOURCES).as_posix()
        if path.suffix not in (".cpp", ".h") or name in allowed:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if banned.search(line):
                hits.append(f"{name}:{number}: {line.strip()}")
    assert not hits, "\n".join(hits)
