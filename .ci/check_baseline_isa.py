"""Proves the extension runs on any x86-64 CPU: no instruction beyond the x86-64 baseline
(SSE2) appears anywhere except in code that only the AVX2 / AVX-512 translation units made.

    python .ci/check_baseline_isa.py BUILD_DIR [SHIPPED.so]

BUILD_DIR is CMake's build directory: its object files and the linked extension with symbols.

1. Every object file of the build except avx2/avx512 is disassembled whole: exact per unit.
2. The linked extension is disassembled too: a function defined only by the AVX units may use
   AVX; every other function must not. This catches the linker keeping an AVX-compiled copy of
   an inline function that a baseline unit also uses (both units emit it, one copy survives).
3. SHIPPED.so, the copy in the wheel (stripped of symbols, its library paths patched), must hold
   the same bytes of code as the checked extension.
As a check on the checker, the AVX objects must be found to hold AVX instructions.
"""
import pathlib
import re
import subprocess
import sys
import tempfile

AVX_UNITS = ("avx2.cpp.o", "avx512.cpp.o")
# Instructions beyond x86-64's SSE2 baseline that are not VEX/EVEX encoded (those are caught by
# their leading "v", their mask registers and ymm/zmm operands).
LATER_INSTRUCTIONS = set("""
addsubpd addsubps haddpd haddps hsubpd hsubps lddqu movddup movshdup movsldup fisttp
pabsb pabsd pabsw palignr phaddd phaddsw phaddw phsubd phsubsw phsubw pmaddubsw pmulhrsw pshufb
psignb psignd psignw blendpd blendps blendvpd blendvps dppd dpps extractps insertps movntdqa
mpsadbw packusdw pblendvb pblendw pcmpeqq pextrb pextrd pextrq phminposuw pinsrb pinsrd pinsrq
pmaxsb pmaxsd pmaxud pmaxuw pminsb pminsd pminud pminuw pmovsxbd pmovsxbq pmovsxbw pmovsxdq
pmovsxwd pmovsxwq pmovzxbd pmovzxbq pmovzxbw pmovzxdq pmovzxwd pmovzxwq pmuldq pmulld ptest
roundpd roundps roundsd roundss pcmpestri pcmpestrm pcmpgtq pcmpistri pcmpistrm
popcnt lzcnt movbe cmpxchg16b andn bextr blsi blsmsk blsr bzhi mulx pdep pext rorx sarx shlx shrx
""".split())
MASK_INSTRUCTION = re.compile(r"^k(mov|and|andn|or|xor|xnor|not|shift|test|ortest|unpck|add)")
WIDE_OPERAND = re.compile(r"%(ymm|zmm)\d+|%k[0-7]\b|\{%k[0-7]\}")
PREFIXES = {"rep", "repz", "repe", "repnz", "repne", "lock", "notrack", "bnd", "data16",
            "addr32", "cs", "ds", "es", "ss", "fs", "gs"}
FUNCTION = re.compile(r"^[0-9a-f]+ <(.+)>:$")
INSTRUCTION = re.compile(r"^\s*[0-9a-f]+:\s+(.*)$")


def beyond_baseline(text):
    """True when one disassembled instruction (AT&T syntax) needs more than x86-64 SSE2."""
    words = text.split()
    while words and words[0] in PREFIXES:
        words = words[1:]
    if not words:
        return False
    mnemonic = words[0]
    if mnemonic.startswith("v") and mnemonic not in ("verr", "verw"):
        return True
    if MASK_INSTRUCTION.match(mnemonic) or mnemonic.startswith("crc32"):
        return True
    if mnemonic in LATER_INSTRUCTIONS or mnemonic.rstrip("wlq") in ("popcnt", "lzcnt", "movbe"):
        return True
    return bool(WIDE_OPERAND.search(" ".join(words[1:])))


def disassemble(path):
    """{function symbol: [instruction text]} for the executable sections of an ELF file."""
    listing = subprocess.run(["objdump", "-d", "-w", "--no-show-raw-insn", str(path)],
                             capture_output=True, text=True, check=True).stdout
    functions, current = {}, None
    for line in listing.splitlines():
        match = FUNCTION.match(line)
        if match:
            current = match.group(1)
            functions.setdefault(current, [])
            continue
        match = INSTRUCTION.match(line)
        if match and current is not None and not match.group(1).startswith("("):
            functions[current].append(match.group(1).split("#")[0].strip())
    return functions


def defined_code_symbols(path):
    """Names of the functions an object file defines (any binding)."""
    listing = subprocess.run(["nm", "--defined-only", str(path)], capture_output=True, text=True,
                             check=True).stdout
    names = set()
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TtWwi":
            names.add(parts[2])
    return names


def violations(functions, allowed=lambda name: False):
    found = []
    for name, instructions in functions.items():
        if allowed(name):
            continue
        found += [(name, text) for text in instructions if beyond_baseline(text)]
    return found


def code_sections(path):
    """{name: bytes} of the executable sections of an ELF file."""
    table = subprocess.run(["readelf", "-SW", str(path)], capture_output=True, text=True,
                           check=True).stdout
    names = re.findall(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S*X\S*\s",
                       table, re.M)
    sections = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            out = pathlib.Path(scratch) / "section.bin"
            subprocess.run(["objcopy", "-O", "binary", f"--only-section={name}", str(path),
                            str(out)], check=True)
            sections[name] = out.read_bytes()
    return sections


def main(build_dir, shipped=None):
    extensions = sorted(pathlib.Path(build_dir).glob("_core*.so"))
    if len(extensions) != 1:
        sys.exit(f"expected one linked extension _core*.so in {build_dir}, found {extensions}")
    extension = extensions[0]
    objects = sorted(pathlib.Path(build_dir).rglob("*.o"))
    avx_objects = [o for o in objects if o.name in AVX_UNITS]
    baseline_objects = [o for o in objects if o.name not in AVX_UNITS]
    if len(avx_objects) != len(AVX_UNITS) or len(baseline_objects) < 10:
        sys.exit(f"expected the AVX2, AVX-512 and at least 10 baseline objects under {build_dir}, "
                 f"found {[o.name for o in objects]}")

    for obj in avx_objects:  # the checker must see AVX where it certainly is
        if not violations(disassemble(obj)):
            sys.exit(f"no AVX instruction recognised in {obj}: the checker is blind")

    problems, unit_functions = [], 0
    for obj in baseline_objects:
        functions = disassemble(obj)
        unit_functions += len(functions)
        problems += [(obj.name, name, text) for name, text in violations(functions)]

    avx_only = set().union(*map(defined_code_symbols, avx_objects))
    avx_only -= set().union(*map(defined_code_symbols, baseline_objects))
    linked = disassemble(extension)
    problems += [(extension.name, name, text)
                 for name, text in violations(linked, allowed=avx_only.__contains__)]
    linked_checked = sum(1 for name in linked if name not in avx_only)

    if shipped is not None:
        built, copy = code_sections(extension), code_sections(shipped)
        if ".text" not in built or built != copy:
            problems.append((pathlib.Path(shipped).name, "-", "code differs from the checked build"))

    if problems:
        for where, name, text in problems[:40]:
            print(f"{where}: {name}: {text}")
        sys.exit(f"baseline ISA check failed: {len(problems)} findings (first 40 above)")
    print(f"baseline ISA: {len(baseline_objects)} objects ({unit_functions} functions) and "
          f"{linked_checked} of {len(linked)} functions of {extension.name} use no "
          f"instruction beyond x86-64 SSE2; {len(linked) - linked_checked} functions come only "
          f"from the AVX units" + ("; the shipped copy has the same code" if shipped else ""))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])
