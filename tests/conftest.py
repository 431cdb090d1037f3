"""Shared fixtures: run a test on every ISA path this machine has, and restore global settings;
the hypothesis profiles of the property tests."""
import os

import pytest
from hypothesis import HealthCheck, settings

import gradfall as gf
from gradfall import _core

# Property-test budgets (tests/test_properties.py scales each test's examples by max_examples
# / 100). "ci", the default: about a minute in all, derandomised so every run draws the same
# examples; "long" (pytest --hypothesis-profile long): 20 times the examples, random; "sanitize":
# a quarter of ci's, for the slow instrumented build of .ci/sanitize.
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, **_COMMON)
settings.register_profile("long", max_examples=2000, **_COMMON)
settings.register_profile("sanitize", max_examples=25, derandomize=True, database=None, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(params=gf.available_isas())
def isa(request):
    """Forces one kernel set for the test, then puts the previous one (and thread count) back."""
    previous, threads = gf.get_isa(), _core.thread_override()
    gf.set_isa(request.param)
    yield request.param
    gf.set_isa(previous)
    _core.set_thread_override(threads)


@pytest.fixture
def restore_threads():
    previous = _core.thread_override()
    yield
    _core.set_thread_override(previous)


def pytest_terminal_summary(terminalreporter):
    """The counts the property and fuzz tests keep, so a run shows how much was exercised."""
    import sys

    for module, what in (("test_properties", "public API calls"),
                         ("test_model_file_fuzz", "model-file variants")):
        counter = getattr(sys.modules.get(module), "COUNT", None)
        if counter:
            terminalreporter.write_line(f"{module}: {sum(counter.values())} {what} "
                                        f"({', '.join(f'{k} {v}' for k, v in sorted(counter.items()))})")
