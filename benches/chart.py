#!/usr/bin/env python3
"""Turns criterion's output for the `verify` group into the chart and table of
BENCHMARKS.md: one SVG bar chart (median time per full verification relative to
jsonwebtoken + aws-lc-rs, shorter is better)
and a Markdown table with the ratios to each peer.

    cargo bench -p jose-benches --bench verify
    python3 benches/chart.py            # writes benches/verify.svg, prints the table

On a shared machine, whose slow spells only ever add time, run the bench several times
under named baselines and chart each row's best run:

    for run in a b c; do
        cargo bench -p jose-benches --bench verify -- --save-baseline $run
    done
    python3 benches/chart.py a b c      # per row, the lowest of the three medians

Reads target/criterion/verify/<implementation>/<case>/<run>/estimates.json (criterion's
own format; <run> is "new" unless baselines are named); no third-party Python packages
are needed.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRITERION = os.path.join(ROOT, "target", "criterion", "verify")
OUT = os.path.join(ROOT, "benches", "verify.svg")

# The implementations drawn, in legend order, with their colours.
SERIES = [
    ("jose", "jose (pure Rust)", "#2b7bb9"),
    ("jsonwebtoken-aws-lc", "jsonwebtoken + aws-lc-rs", "#e8a33d"),
    ("jsonwebtoken-rust-crypto", "jsonwebtoken + RustCrypto", "#b9b9b9"),
    ("aws-lc-rs-signature-only", "raw aws-lc-rs (signature only)", "#7a7a7a"),
]


def median_us(implementation, case, run):
    path = os.path.join(CRITERION, implementation, case, run, "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"] / 1000.0
    except FileNotFoundError:
        return None


def best_us(implementation, case, runs):
    """The lowest median of `runs`: noise on this machine only slows a run down."""
    found = [m for m in (median_us(implementation, case, run) for run in runs) if m]
    return min(found) if found else None


def cases():
    jose = os.path.join(CRITERION, "jose")
    if not os.path.isdir(jose):
        sys.exit(f"no criterion results under {CRITERION}: run the verify bench first")
    order = ["RS256-2048", "RS256-3072", "RS256-4096", "PS256-2048", "ES256"]
    found = [c for c in os.listdir(jose) if os.path.isdir(os.path.join(jose, c))]
    return [c for c in order if c in found] + sorted(c for c in found if c not in order)


def table(data, names):
    lines = [
        "| case | " + " | ".join(label for _, label, _ in SERIES) + " | jose vs jsonwebtoken+aws-lc | jose vs jsonwebtoken+RustCrypto |",
        "|---" * (len(SERIES) + 3) + "|",
    ]
    for case in names:
        row = data[case]
        cells = [f"{row[k]:.1f} µs" if row.get(k) else "–" for k, _, _ in SERIES]
        ours = row.get("jose")
        ratios = []
        for peer in ("jsonwebtoken-aws-lc", "jsonwebtoken-rust-crypto"):
            other = row.get(peer)
            ratios.append(f"{ours / other:.2f}× the time" if ours and other else "–")
        lines.append(f"| {case} | " + " | ".join(cells + ratios) + " |")
    return "\n".join(lines)


def svg(data, names):
    width, left, top, bar, gap, group_gap = 820, 110, 40, 14, 2, 18
    series = [s for s in SERIES if any(data[c].get(s[0]) for c in names)]
    group_h = len(series) * (bar + gap) + group_gap
    height = top + len(names) * group_h + 60
    # Bars are time relative to jsonwebtoken + aws-lc-rs in the same case (1.0 = as
    # fast as the fastest JWT library measured), so every case reads on one scale.
    def ratio(case, key):
        ref, value = data[case].get("jsonwebtoken-aws-lc"), data[case].get(key)
        return value / ref if ref and value else None

    peak = max(ratio(c, k) or 0 for c in names for k, _, _ in series)
    scale = (width - left - 150) / peak
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">'
        "Full JWT verification time relative to jsonwebtoken + aws-lc-rs (shorter is better)</text>",
    ]
    y = top
    for case in names:
        out.append(f'<text x="{left - 8}" y="{y + group_h / 2 - 4}" text-anchor="end" '
                   f'font-weight="bold">{case}</text>')
        for key, _, colour in series:
            value, rel = data[case].get(key), ratio(case, key)
            if value and rel:
                w = max(1.0, rel * scale)
                out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}"/>')
                out.append(f'<text x="{left + w + 4:.1f}" y="{y + bar - 3}">'
                           f'{rel:.2f}× ({value:.1f} µs)</text>')
            y += bar + gap
        y += group_gap
    legend_y = y + 10
    x = left
    for _, label, colour in series:
        out.append(f'<rect x="{x}" y="{legend_y}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{legend_y + 9}">{label}</text>')
        x += 14 + 7 * len(label) + 16
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    runs = sys.argv[1:] or ["new"]
    names = cases()
    data = {c: {k: best_us(k, c, runs) for k, _, _ in SERIES} for c in names}
    with open(OUT, "w") as f:
        f.write(svg(data, names))
    print(table(data, names))
    print(f"\nwrote {os.path.relpath(OUT, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
