"""Execute each chapter in a fresh kernel, in its default setting, and record time and memory.

Usage: python benchmarks/run_chapters.py [--repeat N] [NOTEBOOK ...]
(default: chapters/*.ipynb and assignments/*.ipynb)

Writes benchmarks/results.csv, benchmarks/results.md (included by the book's appendix page)
and benchmarks/results.png, and states the measured time in each notebook's introduction. Peak memory is the kernel process's peak resident set size, sampled
every 0.1 s; time and memory are those of the first run. Each execution starts with an empty
weights cache (``CNNLIB_CACHE_DIR``), as on a fresh CI machine. Run it on an otherwise idle machine:
timings taken beside other work are not budgets.

With ``--repeat 2`` (or more) each chapter is executed again and the printed text of every code
cell (stdout and text results) is compared with the first run: benchmarks/determinism.md lists
the cells that differ. The exit status is 1 when a ``# NBVAL_CHECK_OUTPUT`` cell or a cell not
marked ``# varies between runs`` (a timing table, for example) prints something different;
printed lines that contain "wall-clock" (a duration next to a result) are not compared.
"""

import csv
import math
import os
import re
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks"
BUDGET_S, BUDGET_GB, BOOK_BUDGET_S = 120, 2.0, 15 * 60  # DESIGN: 2 GB is Binder's limit


VARIES = "# varies between runs"
WALL_CLOCK = "wall-clock"  # printed lines that report a duration are not compared
TIME_LINE = re.compile(r"\*\*Time to execute:\*\*[^\n]*")


def time_statement(seconds: float) -> str:
    """The line a chapter states under its learning goals, from the measured seconds."""
    return (f"**Time to execute:** about {math.ceil(seconds / 10) * 10} s on a 2-core CPU, "
            f"default settings, no GPU (measured: {round(seconds)} s; all chapters: "
            "[execution times](../book/benchmarks.md)).")


def state_time(path: Path, seconds: float) -> None:
    """Rewrite the chapter's time statement (first markdown cell) with the measured time."""
    nb = nbformat.read(path, as_version=4)
    intro = next(c for c in nb.cells if c.cell_type == "markdown")
    if not TIME_LINE.search(intro.source):
        raise ValueError(f"{path.name}: no '**Time to execute:**' line in the first markdown cell")
    intro.source = TIME_LINE.sub(time_statement(seconds), intro.source)
    nbformat.write(nb, path)


def run(path: Path):
    """Return (seconds, peak resident GB, executed notebook) for one fresh-kernel execution."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    peak, done = [0], threading.Event()

    def sample():
        while not done.wait(0.1):
            km = client.km
            pid = getattr(getattr(km, "provisioner", None), "pid", None) if km else None
            if pid:
                try:
                    peak[0] = max(peak[0], psutil.Process(pid).memory_info().rss)
                except psutil.Error:
                    pass

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    with tempfile.TemporaryDirectory() as cache:  # cold weights cache, as on a fresh CI machine
        os.environ["CNNLIB_CACHE_DIR"] = cache
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    return seconds, peak[0] / 1e9, nb


def printed_text(nb):
    """[(code cell index, source, text it printed)]: stdout plus text/plain results, no images.

    Lines that contain "wall-clock" (measured durations) are left out.
    """
    cells = []
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        text = "".join(o.get("text", "") if o.output_type == "stream" and o.name == "stdout"
                       else o.get("data", {}).get("text/plain", "") if o.output_type == "execute_result"
                       else "" for o in cell.outputs)
        text = "".join(line for line in text.splitlines(keepends=True) if WALL_CLOCK not in line)
        cells.append((i, cell.source, text))
    return cells


def compare(first, again):
    """Differences between two executions: [(cell index, allowed to vary, first differing line)]."""
    diffs = []
    for (i, source, a), (_, _, b) in zip(printed_text(first), printed_text(again)):
        if a != b:
            line = next((x for x, y in zip(a.splitlines(), b.splitlines()) if x != y), "(length)")
            allowed = VARIES in source and "NBVAL_CHECK_OUTPUT" not in source
            diffs.append((i, allowed, line.strip()[:90]))
    return diffs


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = list(sys.argv[1:] if argv is None else argv)
    repeat = int(args.pop(args.index("--repeat") + 1)) if "--repeat" in args else 1
    args = [a for a in args if a != "--repeat"]
    book = sorted(ROOT.glob("chapters/*.ipynb")) + sorted(ROOT.glob("assignments/*.ipynb"))
    paths = [Path(p).resolve() for p in args] or book
    measured = {}  # a partial run updates its notebooks' rows and keeps the others
    if args and (OUT / "results.csv").exists():
        with open(OUT / "results.csv", newline="") as f:
            measured = {r["chapter"]: r for r in csv.DictReader(f)}
    report, failed = {}, False  # chapter -> row of the determinism table
    for path in paths:
        seconds, gb, first = run(path)
        seconds = round(seconds, 1)  # the chapter states what results.csv records
        measured[path.stem] = {"chapter": path.stem, "seconds": round(seconds, 1),
                               "peak_gb": round(gb, 2)}
        print(f"{path.stem}: {seconds:.1f} s, {gb:.2f} GB", file=sys.stderr)
        state_time(path, seconds)
        for _ in range(repeat - 1):
            diffs = compare(first, run(path)[2])
            failed = failed or any(not allowed for _, allowed, _ in diffs)
            n = len(printed_text(first))
            report[path.stem] = (f"| {path.stem} | {n} | {n - len(diffs)} | "
                          + ("; ".join(f"cell {i}{'' if ok else ' (NOT ALLOWED)'}: `{line}`"
                                       for i, ok, line in diffs) or "none") + " |")
    if report:
        if args and (OUT / "determinism.md").exists():  # keep the rows of chapters not re-run
            old_rows = {line.split("|")[1].strip(): line for line in
                        (OUT / "determinism.md").read_text().splitlines()
                        if line.startswith("| ") and not line.startswith("| chapter")}
            report = {**old_rows, **report}
        rows_in_order = [report[p.stem] for p in book if p.stem in report]
        (OUT / "determinism.md").write_text(
            f"Each chapter executed {repeat} times in fresh kernels on the same machine "
            f"({time.strftime('%Y-%m-%d')}); printed text of every code cell compared.\n\n"
            "| chapter | code cells | identical | cells that differ |\n|---|---:|---:|---|\n"
            + "\n".join(rows_in_order) + "\n")
    rows = [{**measured[p.stem], "seconds": float(measured[p.stem]["seconds"]),
             "peak_gb": float(measured[p.stem]["peak_gb"])} for p in book if p.stem in measured]
    with open(OUT / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["chapter", "seconds", "peak_gb"])
        writer.writeheader()
        writer.writerows(rows)
    total = sum(r["seconds"] for r in rows)
    data = f"data from {os.environ['CNNLIB_DATA_DIR']}" if os.environ.get("CNNLIB_DATA_DIR") \
        else "the course sample in data/"
    lines = [f"Measured on {os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), "
             f"no GPU, {data}, {time.strftime('%Y-%m-%d')}.", "",
             f"| chapter | seconds | peak memory (GB) | within {BUDGET_S} s and {BUDGET_GB:g} GB |",
             "|---|---:|---:|---|"]
    for r in rows:
        ok = r["seconds"] <= BUDGET_S and r["peak_gb"] <= BUDGET_GB
        lines.append(f"| {r['chapter']} | {r['seconds']} | {r['peak_gb']} | {'yes' if ok else 'NO'} |")
    lines.append(f"| **whole book** | **{total:.0f}** | | {'yes' if total <= BOOK_BUDGET_S else 'NO'} |")
    (OUT / "results.md").write_text("\n".join(lines) + "\n")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.2))
    ax.barh([r["chapter"] for r in rows][::-1], [r["seconds"] for r in rows][::-1])
    ax.axvline(BUDGET_S, color="tab:red", linestyle="--", label=f"budget {BUDGET_S} s")
    ax.set(xlabel="seconds to execute (2-core CPU)", title="Chapter execution time")
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "results.png", dpi=100)
    print(f"whole book: {total:.0f} s", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
