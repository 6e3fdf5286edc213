"""ocp-conformance.toml: the example parses; each mistake is a SourceError at its file:line:column with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp_conformance.contracts import SourceError, project_resource
from ocp_conformance.targets import load_config

EXAMPLE = project_resource("docs") / "ocp-conformance.example.toml"

GOOD = '''[targets.lab]
base_url = "https://lab.example:8443/"
rate_limit = 2

[targets.lab.auth.B01234]
type = "bearer"
token_env = "LAB_TOKEN_B01234"

[targets.lab.auth.B05678]
type = "api-key"
key_file = "keys/b05678"
'''


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ocp-conformance.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        load_config(_write(tmp_path, text))
    return caught.value


def test_the_documented_example_parses() -> None:
    config = load_config(EXAMPLE)
    assert set(config.targets) == {"portal", "adapter", "lab"}
    portal = config.targets["portal"]
    assert portal.rate_limit == 5 and portal.max_concurrency == 2 and not portal.insecure
    assert portal.auth["B05678"].client_cert == EXAMPLE.parent / "certs" / "b05678.pem"
    assert portal.rap_sftp_host == "rap-test.example.hk" and portal.rap_sftp_port == 22
    assert config.participant is not None and config.participant.pg_user
    assert config.run is not None and config.run.fail_on == ("mandatory",)


def test_a_good_profile_reads_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    lab = load_config(_write(tmp_path, GOOD)).target("lab")
    assert lab.base_url == "https://lab.example:8443"
    assert lab.acting_order == ("B01234", "B05678")
    assert lab.auth["B05678"].secret is not None and lab.auth["B05678"].secret.file == tmp_path / "keys" / "b05678"


def test_run_fail_on_is_read_with_its_location(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD + '\n[run]\n  fail_on = ["any", "score<80"]\n'))
    assert config.run is not None and config.run.fail_on == ("any", "score<80")
    assert str(config.run.fail_on_location) == f"{tmp_path / 'ocp-conformance.toml'}:14:3"
    assert load_config(_write(tmp_path, GOOD)).run is None


@pytest.mark.parametrize(("text", "line", "column", "message", "fix"), [
    (GOOD.replace('rate_limit = 2', 'rate_limit = 2\ntimout = 5'), 4, 1, "unknown key 'timout'", "timeout"),
    (GOOD.replace('token_env = "LAB_TOKEN_B01234"', 'token = "abc123"'), 7, 1, "token is written in the file",
     "token_env or token_file"),
    (GOOD.replace('type = "api-key"', 'type = "apikey"'), 10, 1, "type must be one of", "type ="),
    (GOOD.replace('rate_limit = 2', 'rate_limit = 0'), 3, 1, "rate_limit must be a number above 0", "rate_limit ="),
    (GOOD.replace('base_url = "https://lab.example:8443/"', 'base_url = "lab.example"'), 2, 1,
     "base_url must start with https://", "base_url ="),
    (GOOD.replace("[targets.lab.auth.B05678]", "[targets.lab.auth.b5678]"), 9, 1, "not a participant ID",
     "B01234"),
    (GOOD.replace('rate_limit = 2', 'rate_limit = 2\nclient_cert = "a.pem"'), 4, 1, "client_key is missing",
     "client_key ="),
    (GOOD.replace('rate_limit = 2', 'rate_limit = 2\nparticipants = ["B01234", "B09999"]'), 4, 1,
     "B09999, which has no", "add its credentials"),
    (GOOD.replace('token_env = "LAB_TOKEN_B01234"', 'token_env = "X"\ntoken_file = "y"'), 5, 1,
     "exactly one of token_env and token_file", "token_env ="),
    (GOOD.replace('rate_limit = 2', 'rate_limit = = 2'), 3, 14, "invalid TOML", "TOML syntax"),
    (GOOD + '\n[participant]\ntype = "Custodain"\n', 14, 1, "not a participant type", "Custodian"),
    (GOOD + '\n[run]\nfail_on = "any"\n', 14, 1, "fail_on must be a list of strings", "fail_on = ["),
    (GOOD + '\n[run]\nfailon = ["any"]\n', 14, 1, "unknown key 'failon' in [run]", "fail_on"),
])
def test_each_mistake_is_located_with_the_fix(tmp_path: Path, text: str, line: int, column: int, message: str,
                                               fix: str) -> None:
    error = _error(tmp_path, text)
    assert str(error.location) == f"{tmp_path / 'ocp-conformance.toml'}:{line}:{column}", error.render()
    assert message in error.message, error.message
    assert fix in error.fix or fix in error.message, error.render()


def test_an_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    with pytest.raises(SourceError, match=r"no target profile 'lb' \(profiles here: lab\).*'lab'"):
        config.target("lb")


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="configuration file not found") as caught:
        load_config(tmp_path / "nope.toml")
    assert "docs/ocp-conformance.example.toml" in caught.value.fix
