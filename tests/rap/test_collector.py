"""`collector_paused`: the collector is off inside, and the caller's setting is back afterwards, exceptions included."""

from __future__ import annotations

import gc

import pytest

from ocp_conformance.rap.collector import collector_paused


@pytest.mark.parametrize("running", [True, False], ids=["was-running", "was-paused"])
def test_the_collector_is_off_inside_and_as_it_was_after_even_on_an_error(running: bool) -> None:
    was = gc.isenabled()
    (gc.enable if running else gc.disable)()
    try:
        with collector_paused():
            inside = gc.isenabled()
        after = gc.isenabled()
        with pytest.raises(RuntimeError), collector_paused():
            raise RuntimeError("boom")
        after_error = gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert (inside, after, after_error) == (False, running, running)
