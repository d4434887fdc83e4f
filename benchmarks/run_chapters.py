"""Execute each chapter in a fresh kernel, in its default setting, and record time and memory.

Usage: python benchmarks/run_chapters.py [NOTEBOOK ...]   (default: chapters/*.ipynb)

Writes benchmarks/results.csv, benchmarks/results.md (included by the book's appendix page)
and benchmarks/results.png. Peak memory is the kernel process's peak resident set size, sampled
every 0.1 s. Run it on an otherwise idle machine: timings taken beside other work are not budgets.
"""

import csv
import os
import platform
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks"
BUDGET_S, BUDGET_GB, BOOK_BUDGET_S = 120, 3.0, 15 * 60


def run(path: Path):
    """Return (seconds, peak resident GB) of executing one notebook in a fresh kernel."""
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
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    return seconds, peak[0] / 1e9


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    paths = [Path(p) for p in (argv or sys.argv[1:])] or sorted((ROOT / "chapters").glob("*.ipynb"))
    rows = []
    for path in paths:
        seconds, gb = run(path)
        rows.append({"chapter": path.stem, "seconds": round(seconds, 1), "peak_gb": round(gb, 2)})
        print(f"{path.stem}: {seconds:.1f} s, {gb:.2f} GB", file=sys.stderr)
    with open(OUT / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["chapter", "seconds", "peak_gb"])
        writer.writeheader()
        writer.writerows(rows)
    total = sum(r["seconds"] for r in rows)
    data_dir = "CNNLIB_DATA_DIR set (real samples)" if os.environ.get("CNNLIB_DATA_DIR") else "stand-in data"
    lines = [f"Measured on {os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), "
             f"no GPU, {data_dir}, {time.strftime('%Y-%m-%d')}.", "",
             "| chapter | seconds | peak memory (GB) | within budget |", "|---|---:|---:|---|"]
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
