"""The scope and the score of mutation testing (`make mutation`, mutmut's config in pyproject.toml).

Usage: python tools/mutation.py names      # mutant-name patterns of the scope, one a line
       python tools/mutation.py summary [--fail-under 0.95]  # counts from mutants/
       python tools/mutation.py survivors  # the diff of every surviving mutant

The scope is cnnlib's NumPy core: output sizes and receptive fields (``arithmetic``,
``receptive``), convolution and pooling (``ops``), backprop (``grad``), the segmentation metrics,
BLEU (``bleu``) and decoding (``decoding``). mutmut names a mutant
``<module>.x_<function>__mutmut_<n>``; every function of a module listed with None is in scope.
"""

import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path

MODULES = {
    "arithmetic": None,
    "receptive": None,
    "ops": None,
    "grad": None,
    "segmentation": ["_label_maps", "confusion_matrix", "pixel_accuracy", "iou_per_class",
                     "mean_iou", "box_iou"],
    "bleu": None,
    "decoding": None,
}
STATUS = {0: "survived", 1: "killed", 3: "killed", 36: "timeout", 24: "timeout",
          -24: "timeout", 152: "timeout", 255: "timeout", 5: "no tests", 33: "no tests",
          None: "not checked"}


def names():
    """mutmut name patterns (fnmatch) of the mutants in scope."""
    out = []
    for module, functions in MODULES.items():
        if functions is None:
            out.append(f"cnnlib.{module}.*")
        else:
            out += [f"cnnlib.{module}.x_{f}__mutmut_*" for f in functions]
    return out


def results(root=Path("mutants")):
    """{mutant name: status} of every mutant in scope, from mutmut's .meta files."""
    patterns, found = names(), {}
    for meta in sorted((root / "cnnlib").glob("*.meta")):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if any(fnmatch.fnmatchcase(name, p) for p in patterns):
                found[name] = STATUS.get(code, "suspicious")
    return found


def summary(fail_under=None):
    found = results()
    by_module = {}
    for name, status in found.items():
        by_module.setdefault(name.split(".")[1], Counter())[status] += 1
    total = Counter(found.values())
    print("| module | mutants | killed | survived | other |\n|---|---|---|---|---|")
    for module, c in list(by_module.items()) + [("all", total)]:
        n = sum(c.values())
        other = n - c["killed"] - c["survived"]
        print(f"| {module} | {n} | {c['killed']} | {c['survived']} | {other} |")
    checked = sum(total.values()) - total["not checked"]
    score = (total["killed"] + total["timeout"]) / max(checked, 1)  # a timeout is a detection
    print(f"\nscore (killed or timed out / checked): {score:.1%}; "
          + ", ".join(f"{k}: {v}" for k, v in sorted(total.items())))
    if fail_under is not None and (score < fail_under or total["not checked"]):
        sys.exit(f"mutation score below {fail_under:.0%} or mutants left unchecked: "
                 "see `python tools/mutation.py survivors`")


def survivors():
    import difflib

    import libcst as cst
    from mutmut.mutation.diff_apply import read_mutant_function, read_original_function

    modules = {}
    for name, status in results().items():
        if status == "killed":
            continue
        path = Path("mutants", *name.split(".")[:2]).with_suffix(".py")
        if path not in modules:
            modules[path] = cst.parse_module(path.read_text())
        old, new = (cst.Module([f]).code.strip().split("\n") for f in (
            read_original_function(modules[path], name), read_mutant_function(modules[path], name)))
        print(f"### {name} ({status})")
        print("\n".join(line for line in difflib.unified_diff(old, new, lineterm="", n=1)
                        if not line.startswith(("---", "+++", "@@"))))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "names":
        print("\n".join(names()))
    elif command == "summary":
        summary(float(sys.argv[3]) if sys.argv[2:3] == ["--fail-under"] else None)
    elif command == "survivors":
        survivors()
    else:
        sys.exit(__doc__)
