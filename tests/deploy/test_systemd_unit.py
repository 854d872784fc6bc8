"""deploy/briefbot.service and the shard template deploy/briefbot@.service, checked by systemd's own tools
(`systemd-analyze verify` and `security`; the template as its instance briefbot@0.service).

`verify` refuses a unit whose ExecStart is missing, so the test verifies a copy whose ExecStart is the
`briefbot` of the environment running the tests: a real executable, as on a host where the unit is
installed. Everything else in the copy is the shipped unit, byte for byte.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "briefbot.service"
TEMPLATE = ROOT / "deploy" / "briefbot@.service"
#: Each unit, and the name it is verified under (a template only as one of its instances).
UNITS = [pytest.param(UNIT, "briefbot.service", id="plain"), pytest.param(TEMPLATE, "briefbot@0.service", id="shard")]
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd_analyze = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed here, so the unit cannot be verified"
)


def _unit(unit: Path = UNIT) -> dict[str, dict[str, list[str]]]:
    """The unit's settings, every value of a repeated key kept in order."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return sections


def _runnable_copy(tmp_path: Path, unit: Path = UNIT, name: str = "briefbot.service") -> Path:
    briefbot = Path(sys.executable).with_name("briefbot")
    assert briefbot.exists(), f"{briefbot} is missing: run the tests from an environment with briefbot installed"
    text = unit.read_text(encoding="utf-8")
    copy, count = re.subn(r"(?m)^ExecStart=\S+", f"ExecStart={briefbot}", text)
    assert count == 1
    path = tmp_path / name
    path.write_text(copy, encoding="utf-8")
    return path


def test_the_unit_runs_briefbot_as_its_own_user_and_stops_it_with_sigterm():
    service = _unit()["Service"]
    assert service["ExecStart"] == ["/opt/briefbot/venv/bin/briefbot run"]
    assert service["User"] == ["briefbot"]
    assert service["Type"][0] in {"simple", "exec"}
    assert service["KillSignal"] == ["SIGTERM"]
    assert service["Restart"] == ["on-failure"]
    assert service["EnvironmentFile"] == ["/etc/briefbot/briefbot.env"]
    data_dir = service["WorkingDirectory"][0]
    assert service["ReadWritePaths"] == [data_dir]
    database = dict(v.split("=", 1) for v in service["Environment"])["DATABASE_PATH"]
    assert Path(database).parent == Path(data_dir)
    for hardening in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
        assert service[hardening] == ["yes"], hardening
    assert service["ProtectSystem"] == ["strict"]


def test_the_shard_template_is_the_unit_but_for_its_shard_and_heartbeat():
    plain, template = _unit(UNIT), _unit(TEMPLATE)
    environment = dict(v.split("=", 1) for v in template["Service"]["Environment"])
    assert environment["SHARD_IDS"] == "%i"
    assert environment["HEARTBEAT_FILE"].startswith(template["Service"]["WorkingDirectory"][0] + "/")
    assert "%i" in environment["HEARTBEAT_FILE"]
    # Everything else, the sandbox above all, is the plain unit's.
    for section in ("Service", "Install"):
        for key, values in plain[section].items():
            if key != "Environment":
                assert template[section][key] == values, key
    assert set(plain["Service"]["Environment"]) <= set(template["Service"]["Environment"])


@needs_systemd_analyze
@pytest.mark.parametrize(("unit", "name"), UNITS)
def test_systemd_analyze_verify_accepts_the_unit_without_a_warning(tmp_path, unit, name):
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", str(_runnable_copy(tmp_path, unit, name))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # verify exits 0 even for unknown keys or bad values it ignores; its warnings on stderr are the verdict.
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


@needs_systemd_analyze
@pytest.mark.parametrize(("unit", "name"), UNITS)
def test_systemd_analyze_rates_the_sandbox_ok(tmp_path, unit, name):
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=yes", "--no-pager", str(_runnable_copy(tmp_path, unit, name))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = re.search(rf"Overall exposure level for {re.escape(name)}: ([\d.]+)", result.stdout)
    if found is None:
        pytest.skip(f"this systemd-analyze cannot rate a unit offline:\n{result.stderr}")
    assert float(found.group(1)) <= 2.0, result.stdout  # 0 is fully sandboxed, 10 not at all; OK is below 4
