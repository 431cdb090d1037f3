"""Choosing the kernel set: set_isa, the GRADFALL_ISA variable, and refusals of bad names."""
import os
import subprocess
import sys

import pytest

import gradfall as gf

ALL_ISAS = ("scalar", "avx2", "avx512")


def run_python(code, **env):
    """Runs `code` in a fresh interpreter that imports this gradfall, with extra variables."""
    package_root = os.path.dirname(os.path.dirname(gf.__file__))
    full_env = {k: v for k, v in os.environ.items() if k != "GRADFALL_ISA"}
    full_env.update(PYTHONPATH=package_root, **env)
    return subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True,
                          text=True, timeout=60)


def test_available_isas_start_with_scalar_and_include_the_active_one():
    available = gf.available_isas()
    assert available[0] == "scalar"
    assert set(available) <= set(ALL_ISAS)
    assert gf.get_isa() in available


def test_isa_fixture_forces_each_path(isa):
    assert gf.get_isa() == isa


def test_environment_variable_forces_scalar():
    result = run_python("import gradfall as gf; print(gf.get_isa(), gf.config()['forced_by_GRADFALL_ISA'])",
                        GRADFALL_ISA="scalar")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["scalar", "scalar"]


def test_without_the_variable_the_best_isa_is_picked():
    result = run_python("import gradfall as gf; print(gf.get_isa())")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == gf.available_isas()[-1]


def test_unknown_environment_value_fails_import_with_a_clear_message():
    result = run_python("import gradfall", GRADFALL_ISA="sse9")
    assert result.returncode != 0
    assert "GRADFALL_ISA" in result.stderr and "unknown ISA 'sse9'" in result.stderr


def test_unknown_name_is_a_value_error_and_keeps_the_active_isa():
    before = gf.get_isa()
    with pytest.raises(ValueError, match="unknown ISA 'sse9'"):
        gf.set_isa("sse9")
    with pytest.raises(TypeError, match="string"):
        gf.set_isa(2)
    assert gf.get_isa() == before


@pytest.mark.parametrize("name", [n for n in ALL_ISAS if n not in gf.available_isas()] or
                         [pytest.param("none", marks=pytest.mark.skip("this CPU has every ISA"))])
def test_unsupported_isa_is_a_value_error(name):
    with pytest.raises(ValueError, match=f"'{name}'"):
        gf.set_isa(name)
