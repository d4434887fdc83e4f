"""The scope and the score of mutation testing (`make mutation`, mutmut's config in pyproject.toml).

Usage: python tools/mutation.py names      # mutant-name patterns of the scope, one a line
       python tools/mutation.py summary [--fail-under 0.95]  # counts from mutants/
       python tools/mutation.py survivors [--skip-equivalent]  # diff of each mutant left alive

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
# Mutants that cannot change behaviour (see benchmarks/mutation.md for the proofs). Names hold
# only for the code they were made from: mutmut numbers the mutants of each function in order,
# so an edit of a function renumbers them (a name that no longer survives is just not counted).
_COPY = "astype copy=False changed: whether NumPy copies changes memory, never a value"
EQUIVALENT = {
    **{f"cnnlib.grad.x_{f}__mutmut_{n}": _COPY for f, ns in [
        ("relu_forward", (10, 12, 14)), ("relu_backward", (21, 23, 33)),
        ("sigmoid_forward", (10, 12, 14)), ("dense_forward", (38, 40, 47, 49, 51, 52)),
        ("dense_backward", (29, 31, 38, 42, 44, 45)),
        ("softmax_cross_entropy", (34, 36, 38))] for n in ns},
    "cnnlib.grad.x_dense_forward__mutmut_46": "reshape(n, -2): any negative size is inferred",
    "cnnlib.grad.x_dense_backward__mutmut_37": "reshape(n, -2): any negative size is inferred",
    "cnnlib.grad.x_relu_backward__mutmut_12": "dout rounded to the forward dtype once, later",
    **{f"cnnlib.grad.x_pool2d_forward__mutmut_{n}": "upper-case mode or padding: lower-cased "
       "wherever it is read" for n in (3, 5, 28, 42)},
    **{f"cnnlib.bleu.x_corpus_bleu__mutmut_{n}": "float64 or one longer count arrays: exact "
       "counts, the extra element is never read" for n in (28, 30, 32, 34, 36, 38)},
    "cnnlib.bleu.x_corpus_bleu__mutmut_104": "'and' for 'or': no unigram match gives zeros anyway",
    "cnnlib.bleu.x_corpus_bleu__mutmut_116": "'>=' for '>': exp(1 - r / c) is 1.0 at r == c",
    "cnnlib.segmentation.x__label_maps__mutmut_45": "y != None is all True, as np.ones",
    "cnnlib.segmentation.x_pixel_accuracy__mutmut_7": "'XXiubXX' holds the kinds i, u, b",
    "cnnlib.segmentation.x_pixel_accuracy__mutmut_24": "non-integer ids are refused whatever the "
                                                       "class count",
    "cnnlib.segmentation.x_iou_per_class__mutmut_11": "astype(None) is float64",
    "cnnlib.segmentation.x_iou_per_class__mutmut_21": "no division by zero: tp <= union",
    "cnnlib.segmentation.x_iou_per_class__mutmut_23": "no division by zero: tp <= union",
    "cnnlib.segmentation.x_iou_per_class__mutmut_34": "union >= 0 always, and 0 / 0 is NaN",
    "cnnlib.segmentation.x_box_iou__mutmut_34": "astype(None) is float64",
    **{f"cnnlib.receptive.x__layer_spec__mutmut_{n}": "'VALID' default: padding modes are "
       "lower-cased" for n in (43, 55)},
    "cnnlib.receptive.x__layer_spec__mutmut_58": "[:5] of a list of exactly 4",
    "cnnlib.receptive.x_receptive_field__mutmut_74": "without input_size no allowed padding "
                                                     "depends on the size",
    **{f"cnnlib.arithmetic.x_transpose_equivalent__mutmut_{n}": "a negative padding is refused "
       "by conv_output_size with the same message" for n in (36, 39)},
    **{f"cnnlib.grad.x_conv2d_backward__mutmut_{n}": _COPY for n in (47, 49, 50, 52, 54, 55)},
    **{f"cnnlib.ops.x_pool2d_setup__mutmut_{n}": _COPY for n in (72, 74, 76)},
    **{f"cnnlib.ops.x_conv2d_setup__mutmut_{n}": _COPY for n in (107, 109, 110, 130, 132, 133)},
    **{f"cnnlib.grad.x__upstream__mutmut_{n}": _COPY for n in (13, 15, 16)},
    **{f"cnnlib.ops.x__kernel__mutmut_{n}": "images() has checked all that array() checks, so "
       "array() never raises here" for n in (4, 8, 9, 10)},
    "cnnlib.arithmetic.x_resolve_padding__mutmut_2": "upper-case default padding: lower-cased "
                                                     "wherever it is read",
    "cnnlib.arithmetic.x_effective_kernel_size__mutmut_10": "a scalar call repeats the int on 2 "
                                                            "axes and returns the first",
    **{name: "reshape(-2, ...): any negative size is inferred" for name in (
        "cnnlib.grad.x_conv2d_backward__mutmut_89", "cnnlib.grad.x_conv2d_backward__mutmut_98",
        "cnnlib.ops.x_conv2d__mutmut_57")},
    **{name: "dtype of xp or of w alone: conv2d_setup gives both the same dtype" for name in (
        "cnnlib.grad.x_conv2d_backward__mutmut_32", "cnnlib.grad.x_conv2d_backward__mutmut_33")},
    "cnnlib.grad.x_pool2d_backward__mutmut_60": "np.pad(constant_values=None) pads NaN",
    **{name: "upper-case default padding or mode: lower-cased wherever it is read" for name in (
        "cnnlib.grad.x_conv2d_forward__mutmut_3", "cnnlib.ops.x_conv2d__mutmut_3",
        "cnnlib.ops.x_conv2d_setup__mutmut_3", "cnnlib.ops.x_conv2d_loops__mutmut_3",
        "cnnlib.ops.x_pool2d__mutmut_3", "cnnlib.ops.x_pool2d__mutmut_5",
        "cnnlib.ops.x_pool2d_setup__mutmut_3", "cnnlib.ops.x_pool2d_setup__mutmut_5",
        "cnnlib.ops.x_pool2d_loops__mutmut_3", "cnnlib.ops.x_pool2d_loops__mutmut_5",
        "cnnlib.arithmetic.x_pool_padding__mutmut_2",
        "cnnlib.arithmetic.x_conv_transpose_output_size__mutmut_3")},
    **{f"cnnlib.decoding.x_{f}__mutmut_{n}": "np.full of a Python int is int64 already"
       for f, n in [("greedy_decode", 30), ("greedy_decode", 33), ("beam_search", 57),
                    ("beam_search", 60)]},
    **{f"cnnlib.decoding.x_beam_search__mutmut_{n}": "no axis: the default, -1, is axis 1 of "
       "the 2-D array" for n in (119, 134, 142)},
    "cnnlib.decoding.x_beam_search__mutmut_124": "NumPy reads kind='STABLE' as 'stable'",
    "cnnlib.ops.x_pad2d__mutmut_26": "finite=None is falsy, as False",
    "cnnlib.ops.x_pad2d__mutmut_48": "the kernel size is read only by 'same' and 'full', which "
                                     "need kernel_size",
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
    equivalent = sum(status == "survived" for name, status in found.items() if name in EQUIVALENT)
    print(f"without the {equivalent} surviving mutants listed as equivalent: "
          f"{(total['killed'] + total['timeout']) / max(checked - equivalent, 1):.2%}")
    if fail_under is not None and (score < fail_under or total["not checked"]):
        sys.exit(f"mutation score below {fail_under:.0%} or mutants left unchecked: "
                 "see `python tools/mutation.py survivors`")


def survivors(skip_equivalent=False):
    import difflib

    import libcst as cst
    from mutmut.mutation.diff_apply import read_mutant_function, read_original_function

    modules = {}
    for name, status in results().items():
        if status == "killed" or (skip_equivalent and name in EQUIVALENT):
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
        survivors(skip_equivalent=sys.argv[2:3] == ["--skip-equivalent"])
    else:
        sys.exit(__doc__)
