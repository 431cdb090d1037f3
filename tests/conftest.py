"""Shared fixtures: run a test on every ISA path this machine has, and restore global settings."""
import pytest

import gradfall as gf
from gradfall import _core


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
