"""A failing disk or a second writer loses nothing: reports are written whole (unique temporary names, renamed),
a full disk under --out is one clear message with exit 1 and the trials stay in the store, a full disk under
--store stops the run (exit 3) keeping every finished trial that fits and `harness resume` ends it, two runs sharing
--out both finish, `harness report` never replaces another run's results, and a run left `running` by a dead
process is marked interrupted at the next start."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import harness_cli

from harness.log.results import RunInfo
from harness.log.store import Store, run_owner

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SUITE = "name: s\nprovider: fake\nprompts: [{id: p, template: 'hi {{ n }}'}]\nscorers: [{has: hi}]\ncases:\n" + "".join(
    f"  - {{id: c{i}, vars: {{n: {i}}}}}\n" for i in range(6)
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "plugins").mkdir()
    shutil.copy(ROOT / "tests" / "fakes.py", tmp_path / "plugins" / "fakes.py")
    (tmp_path / "s.suite.yaml").write_text(SUITE)
    return tmp_path


def _env(project: Path) -> dict[str, str]:
    return {"HARNESS_LOAD_PLUGINS": "reporters", "HARNESS_STORE": str(project / "h.db")}


def _info(run_id: str, status: str = "running") -> RunInfo:
    return RunInfo(
        id=run_id,
        suite="s",
        suite_file="s.suite.yaml",
        suite_sha256="0" * 64,
        started_at="2026-12-01T08:00:00Z",
        harness_version="x",
        status=status,  # type: ignore[arg-type]
    )


def test_stale_running_runs_are_marked_interrupted_at_the_next_start(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = run_owner().split(":")[0]
    store.start_run(_info("crashed"), tmp_path)
    store.db.execute("UPDATE runs SET owner=? WHERE id='crashed'", (f"{host}:{int(dead.stdout)}:1",))
    store.start_run(_info("live"), tmp_path)  # this process: alive
    store.start_run(_info("elsewhere"), tmp_path)
    store.db.execute("UPDATE runs SET owner='another-host:1:1' WHERE id='elsewhere'")
    store.start_run(_info("next"), tmp_path)
    status = {info.id: info.status for info in store.runs(10)}
    assert status == {"crashed": "interrupted", "live": "running", "elsewhere": "running", "next": "running"}
    found = store.run_info("crashed")
    assert found is not None and found[0].status == "interrupted"  # the stored record agrees


def test_a_run_and_the_command_to_resume_it_are_stored_together(tmp_path: Path) -> None:
    """kill -9 right after a run was recorded once left it without its command, and `harness resume` refused it as
    "not started by harness run". The two rows are one transaction: both are there, or neither is."""
    from harness.log.store import StoreFull

    store = Store(tmp_path / "h.db")
    store.start_run(_info("whole"), tmp_path, ("s.suite.yaml", {"argv": ["run", "s.suite.yaml"]}))
    assert store.request_of("whole") == {"argv": ["run", "s.suite.yaml"]}
    store.db.execute("DROP TABLE run_requests")  # the second write of the transaction fails
    with pytest.raises(StoreFull):
        store.start_run(_info("torn"), tmp_path, ("s.suite.yaml", {"argv": ["run", "s.suite.yaml"]}))
    assert [info.id for info in store.runs(10)] == ["whole"]


def test_report_never_replaces_another_runs_results(project: Path) -> None:
    env = _env(project)
    first = harness_cli("run", "s.suite.yaml", "--plugins-dir", "plugins", "--out", "out", "-q", cwd=project, env=env)
    second = harness_cli("run", "s.suite.yaml", "--plugins-dir", "plugins", "--out", "out", "-q", cwd=project, env=env)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    store = Store(project / "h.db")
    older = store.runs(2)[-1].id
    kept = (project / "out" / "s" / "results.json").read_text()
    again = harness_cli("report", older, "--format", "json", cwd=project, env=env)
    assert again.returncode == 2, again.stdout + again.stderr
    assert "holds the results of run" in again.stderr and "--out" in again.stderr
    assert (project / "out" / "s" / "results.json").read_text() == kept
    elsewhere = harness_cli("report", older, "--format", "json", "--out", "old", cwd=project, env=env)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert json.loads((project / "old" / "s" / "results.json").read_text())["run"]["id"] == older


def test_two_runs_sharing_out_both_finish(project: Path) -> None:
    env = {**os.environ, **_env(project)}
    command = [sys.executable, "-m", "harness", "run", "s.suite.yaml", "--plugins-dir", "plugins", "--out", "out"]
    command += ["-q", "--format", "html,json,markdown,junit,csv"]
    runs = [
        subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outcomes = [(p.wait(timeout=60), p.stderr.read() if p.stderr else "") for p in runs]
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    folder = project / "out" / "s"
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    ids = {json.loads((folder / "results.json").read_text())["run"]["id"]}
    assert len(ids) == 1 and (folder / "report.html").stat().st_size > 0


FULL_DISK = """
set -e
mount -t tmpfs -o size=96k tmpfs "$OUT"
head -c 80000 /dev/zero > "$OUT/filler" || true
set +e
"$PY" -m harness run s.suite.yaml --plugins-dir plugins --out "$OUT" --format html,json,markdown -q > run.out 2> run.err
echo "exit=$?" > run.code
ls -A "$OUT" "$OUT/s" > listing.txt 2>&1
RUN_ID=$("$PY" -c "import sqlite3; print(sqlite3.connect('h.db').execute('select id from runs').fetchone()[0])")
"$PY" -m harness report "$RUN_ID" --format json --out reported > report.out 2> report.err
echo "exit=$?" >> run.code
"""


def _in_private_mounts(project: Path, script: str, **folders: Path) -> tuple[list[str], str]:
    """Run ``script`` (which mounts a small tmpfs on each of ``folders``) as root of a private mount namespace:
    the exit codes it wrote to run.code and the first command's stderr (run.err)."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to mount a private tmpfs")
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot create a mount namespace here")
    for folder in folders.values():
        folder.mkdir()
    names = {name: str(folder) for name, folder in folders.items()}
    env = {**os.environ, **_env(project), **names, "PY": sys.executable}
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return (project / "run.code").read_text().split(), (project / "run.err").read_text()


def test_a_full_disk_under_out_is_one_clear_message_and_loses_nothing(project: Path) -> None:
    codes, err = _in_private_mounts(project, FULL_DISK, OUT=project / "full")
    assert codes[0] == "exit=1", err
    assert "No space left on device" in err and "harness report" in err, err
    assert err.count("error:") == 1 and "Traceback" not in err, err
    assert ".tmp" not in (project / "listing.txt").read_text()  # no half-written file left behind
    store = Store(project / "h.db")
    run = store.runs(1)[0]
    assert len(store.trials(run.id)) == 6 and run.status == "complete"
    assert codes[1] == "exit=0", (project / "report.err").read_text()
    assert len(json.loads((project / "reported" / "s" / "results.json").read_text())["trials"]) == 6


STORE_FULL = """
set -e
mount -t tmpfs -o size=4m tmpfs "$STORE"
head -c 3500000 /dev/zero > "$STORE/filler"
set +e
"$PY" -m harness run big.suite.yaml --plugins-dir plugins --store "$STORE/h.db" --out out --format json -q > run.out 2> run.err
echo "exit=$?" > run.code
"$PY" -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from trials').fetchone()[0])" "$STORE/h.db" > kept.txt
RUN_ID=$("$PY" -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('select id from runs').fetchone()[0])" "$STORE/h.db")
rm "$STORE/filler"
"$PY" -m harness resume "$RUN_ID" --store "$STORE/h.db" -q > resume.out 2> resume.err
echo "exit=$?" >> run.code
"$PY" -c "import sqlite3, sys; print(*sqlite3.connect(sys.argv[1]).execute('select count(*), group_concat(distinct status) from trials').fetchone())" "$STORE/h.db" >> kept.txt
"""


def test_a_store_on_a_full_disk_keeps_what_fits_and_resumes_once_there_is_room(project: Path) -> None:
    """A real tmpfs under --store with about 500 KB left and a run needing about 1.2 MB: the run stops with one
    message (exit 3: incomplete, docs/ci.md), the finished trials that fit are stored (a batch that does not fit is
    written one item at a time), and `harness resume` finishes it once space is freed."""
    text = "y" * 10_000
    (project / "big.suite.yaml").write_text(
        "name: big\nprovider: fake\nprompts: [{id: p, template: '{{ text }} {{ n }}'}]\nscorers: [{has: y}]\n"
        "cases:\n" + "".join(f"  - {{id: c{i}, vars: {{n: {i}, text: {text}}}}}\n" for i in range(30))
    )
    codes, err = _in_private_mounts(project, STORE_FULL, STORE=project / "store")
    assert codes[0] == "exit=3", err
    assert "database or disk is full" in err and "harness resume" in err and "Traceback" not in err, err
    kept, total, statuses = (project / "kept.txt").read_text().split()
    assert 0 < int(kept) < 30 and f"kept {kept} finished trials" in err, err
    assert codes[1] == "exit=0", (project / "resume.err").read_text()
    assert (total, statuses) == ("30", "ok")
