"""Shared fixtures: run a test on every ISA path this machine has, and restore global settings."""
import pytest

import gradfall as gf


@pytest.fixture(params=gf.available_isas())
def isa(request):
    """Forces one kernel set for the test, then puts the previous one (and thread count) back."""
    previous, threads = gf.get_isa(), gf.get_num_threads()
    gf.set_isa(request.param)
    yield request.param
    gf.set_isa(previous)
    gf.set_num_threads(threads)


@pytest.fixture
def restore_threads():
    previous = gf.get_num_threads()
    yield
    gf.set_num_threads(previous)
