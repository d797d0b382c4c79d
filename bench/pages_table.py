"""One markdown table from several bench/pages_bench.py --json files (columns in the order given).

    .venv/bin/python bench/pages_table.py "10k before=/work/bench-data/pages_10k_before.json" "10k after=..."

Each cell: p50 / p95 ms, and the throughput as a % of the same run's ceiling.
"""
import json
import re
import sys

LINE = re.compile(r"^(.+?)\s+p50\s+([\d.]+) ms\s+p95\s+([\d.]+) ms\s+\(n=(\d+)\)\s+([\d.]+) req/s$")


def load(paths):
    """path1+path2…: JSON files, or pages_bench's printed lines (a run stopped early); later ones add rows."""
    results = {}
    for path in paths.split("+"):
        text = open(path, encoding="utf-8").read()
        if path.endswith(".json"):
            results.update(json.loads(text)["results"])
            continue
        for line in text.splitlines():
            m = LINE.match(line.strip())
            if m:
                results.setdefault(m[1].strip(), {"p50": float(m[2]), "p95": float(m[3]), "n": int(m[4]),
                                                  "rps": float(m[5])})
    return results


def main():
    columns = [arg.split("=", 1) for arg in sys.argv[1:]]
    runs = [(label, load(paths)) for label, paths in columns]
    names = []
    for _label, results in runs:
        names += [n for n in results if n not in names]
    print("| operation | " + " | ".join(label for label, _ in runs) + " |")
    print("|---|" + "---|" * len(runs))
    for name in names:
        cells = []
        for _label, results in runs:
            # the ceiling of the run (part) the row comes from is not kept apart: the first part's is used
            r, ceiling = results.get(name), results["ceiling (base template)"]["rps"]
            cells.append(f"{r['p50']:,.0f} / {r['p95']:,.0f} ({100 * r['rps'] / ceiling:.0f} %)" if r else "—")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
