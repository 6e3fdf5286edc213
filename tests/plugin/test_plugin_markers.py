"""The plugin refuses tests whose `ocp` marker would misreport what they cover."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_marker_without_check_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ocp(functions=["Input SI"])
        def test_x():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*write @pytest.mark.ocp(functions=*check=*received*check=None*"])


def test_unknown_function_is_refused_with_a_suggestion(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ocp(functions=["Input Si"], check="contract")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != pytest.ExitCode.OK
    assert "Did you mean 'Input SI'" in result.stdout.str() + result.stderr.str()
