#!/usr/bin/env python3
"""Builds the markdown report of scripts/bench.sh from its JSON files
(Python 3 standard library only). Every input is optional: what was not
measured shows as "-" and its targets as "not measured".

  report.py --dir out/bench [--config configs/cifar10_9l_s.cfg] [--out report.md]

Reads, under --dir:
  run.json, fma_peak.json          run settings and the measured FMA peak
  model/ours_<case>_<B>.json       model_benchmark (Google Benchmark JSON)
  model/peer_<case>_<B>.json       benchmarks/torch_peer/coda_peer.py run
  peer_check.json                  coda_peer.py check
  layers.json                      layer_benchmark: <pass>/L<i>/batch:<B>
  schedules.json                   schedule_benchmark: <pass>/L<i>/<schedule>/batch:<B>
"""
import argparse
import glob
import json
import os
import re
import statistics
import sys

CASES = ["inference", "train_step", "explain_one", "explain_all"]
CASE_TEXT = {
    "inference": "inference (forward + logits)",
    "train_step": "training step (forward + BCE + backward + Adam)",
    "explain_one": "contribution maps, 1 class (forward included)",
    "explain_all": "contribution maps, all 10 classes (forward included)",
}
PASSES = ["forward", "backward", "contribution"]
AUTOSCHEDULERS = ["adams2019", "mullapudi2016", "li2018"]
SCHEDULES = ["tuned", "naive"] + AUTOSCHEDULERS


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as e:
        print(f"report.py: {path} is not valid JSON ({e}); left out", file=sys.stderr)
        return None


def fmt(v, digits=1, suffix=""):
    if v is None:
        return "-"
    if abs(v) >= 100 and digits > 0:
        digits = 0
    return f"{v:.{digits}f}{suffix}"


def ratio(a, b):
    return a / b if a is not None and b else None


# ---------------------------------------------------------------------------
# Google Benchmark JSON


def merge_backward_forms(results):
    """schedule_benchmark times the backward in both algorithm forms
    (backward/... low-rank, backward_materialized/...; tuned only in the form
    the runtime runs at that size): each schedule's backward row is its faster
    form, marked with "form"."""
    merged = {}
    for name, v in results.items():
        form = "materialised" if name.startswith("backward_materialized/") else "low-rank"
        name = name.replace("backward_materialized/", "backward/", 1)
        if name.startswith("backward/"):
            v = dict(v, form=form)
            if name in merged and (merged[name].get("GFLOP/s") or 0) >= (v.get("GFLOP/s") or 0):
                continue
        merged[name] = v
    return merged


def benchmark_results(doc):
    """{name without /manual_time: {counter or 'real_time_ms': value}}, the median
    over repetitions (the 'median' aggregate where there is one)."""
    if not doc:
        return {}
    runs, medians = {}, {}
    for b in doc.get("benchmarks", []):
        name = re.sub(r"/(manual_time|real_time)$", "", b.get("run_name", b["name"]))
        name = re.sub(r"/repeats:\d+$", "", name)  # a case's own repetition count
        name = re.sub(r"_(mean|median|stddev|cv)$", "", name)
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]
        values = {k: v for k, v in b.items() if isinstance(v, (int, float))}
        values["real_time_ms"] = b["real_time"] * scale
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = values
        else:
            runs.setdefault(name, []).append(values)
    out = {}
    for name, rs in runs.items():
        if name in medians:
            out[name] = medians[name]
        else:
            keys = set.intersection(*(set(r) for r in rs))
            out[name] = {k: statistics.median(r[k] for r in rs) for k in keys}
    for name, m in medians.items():
        out.setdefault(name, m)
    return out


def tuned_on(path):
    """The CPUs the checked-in tunings were searched on, in the order their
    header names them (each search block's "run:" line), or []."""
    machines = []
    try:
        with open(path) as f:
            for line in f:
                m = re.match(r"//\s+run:\s+.*? UTC(?: \([^)]*\))?, (.*?), \d+ threads", line)
                if m and m.group(1) not in machines:
                    machines.append(m.group(1))
    except FileNotFoundError:
        pass
    return machines


def tuning_name(path):
    """schedules/x86/intel/tuning.h from any path to it."""
    parts = os.path.normpath(path).split(os.sep)
    return "/".join(parts[parts.index("schedules"):]) if "schedules" in parts else path


def context(doc):
    return (doc or {}).get("context", {})


# ---------------------------------------------------------------------------
# The model's layer shapes (configs/*.cfg)


def read_layers(path):
    channels, size, layers = 3, 32, []
    add_inverse = True
    with open(path) as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if "=" not in line:
                continue
            key, value = (s.strip() for s in line.split("=", 1))
            if key == "input":
                channels, size, _ = (int(v) for v in value.split("x"))
            elif key == "add_inverse":
                add_inverse = value == "true"
            elif key == "layer":
                out, rank, k, stride, pad = (int(v) for v in value.split())
                layers.append(dict(out=out, rank=rank, k=k, stride=stride, pad=pad))
    cin = channels * (2 if add_inverse else 1)
    for layer in layers:
        layer["cin"], layer["size_in"] = cin, size
        size = (size + 2 * layer["pad"] - layer["k"]) // layer["stride"] + 1
        layer["size_out"], layer["D"] = size, cin * layer["k"] ** 2
        cin = layer["out"]
    return layers


# ---------------------------------------------------------------------------
# Sections


class Report:
    def __init__(self, directory, config, tuning):
        self.dir = directory
        self.tuning = tuning
        self.tuned_on = tuned_on(tuning)
        self.lines = []
        self.run = load_json(os.path.join(directory, "run.json")) or {}
        self.peak = (load_json(os.path.join(directory, "fma_peak.json")) or {}).get(
            "fma_peak_gflops")
        self.check = load_json(os.path.join(directory, "peer_check.json"))
        self.layers_doc = load_json(os.path.join(directory, "layers.json"))
        self.layer_results = benchmark_results(self.layers_doc)
        self.schedule_results = merge_backward_forms(
            benchmark_results(load_json(os.path.join(directory, "schedules.json"))))
        self.shapes = read_layers(config) if config and os.path.exists(config) else []
        self.ours, self.peer = {}, {}
        for path in glob.glob(os.path.join(directory, "model", "ours_*.json")):
            for name, v in benchmark_results(load_json(path)).items():
                m = re.match(r"cifar10/(\w+)/batch:(\d+)$", name)
                if m:
                    self.ours[(m.group(1), int(m.group(2)))] = v
        for path in glob.glob(os.path.join(directory, "model", "peer_*.json")):
            v = load_json(path)
            if v:
                self.peer[(v["case"], int(v["batch"]))] = v
        self.batches = sorted({b for _, b in list(self.ours) + list(self.peer)})
        self.targets = []

    def add(self, *lines):
        self.lines.extend(lines)

    def table(self, header, rows):
        self.add("| " + " | ".join(header) + " |", "|" + "---|" * len(header))
        for r in rows:
            self.add("| " + " | ".join(str(c) for c in r) + " |")
        self.add("")

    def target(self, text, value, shown, ok):
        self.targets.append((text, shown if value is not None else "-",
                             "not measured" if value is None else ("met" if ok else "missed")))

    # -- header
    def header(self):
        r = self.run
        ctx = context(self.layers_doc) or next(
            (context(load_json(p)) for p in glob.glob(os.path.join(self.dir, "model", "ours_*.json"))),
            {})
        load_after = load_json(os.path.join(self.dir, "load_after.json"))
        self.add("# Benchmark report: CoDA-Halide vs PyTorch eager", "")
        self.add(f"- run: {r.get('date', '?')}, commit {r.get('commit', '?')}"
                 f"{' (with uncommitted changes)' if r.get('dirty') else ''}"
                 f"{', **quick run** (fewer batches and repetitions)' if r.get('quick') else ''}")
        self.add(f"- machine: {r.get('cpu') or '?'}, {ctx.get('num_cpus', '?')} CPUs; "
                 f"load average before {r.get('load_before', '?')}, after {load_after or '?'}")
        self.add(f"- threads: {r.get('threads', '?')} on both sides (HL_NUM_THREADS, "
                 f"torch.set_num_threads); repetitions per case: {r.get('reps', '?')} (median; "
                 "the per-layer and per-schedule ones in random order across cases, "
                 "the naive schedule once)")
        self.add(f"- measured FMA peak: {fmt(self.peak)} GFLOP/s on {r.get('threads', '?')} threads "
                 "(benchmarks/fma_peak.cpp); every % of peak below is against the peak measured "
                 "in the same process")
        cpu = r.get("cpu")
        searched_on = " and ".join(self.tuned_on) or "?"
        self.add(f"- x86 tuning: {tuning_name(self.tuning)}, searched on {searched_on} "
                 "(the build's CODA_X86_TUNING)")
        if self.tuned_on and cpu and cpu not in self.tuned_on:
            self.add(f"- **the checked-in x86 tunings were searched on another CPU** "
                     f"({searched_on}; this run: {cpu}): the tuned schedules' speed here "
                     "says how their tuning carries over, not what a tuning for this CPU reaches")
        torch_version = next((v.get("torch") for v in self.peer.values()), None)
        self.add(f"- PyTorch peer: benchmarks/torch_peer/coda_peer.py, torch {torch_version or '-'}, "
                 "eager, reference style (unfold, materialised dynamic weights, autograd)")
        self.add("- FLOPs are counted the reference's way (benchmarks/flops.h), whatever algorithm "
                 "computes a pass, so GFLOP/s compares times")
        before = [float(v) for v in str(r.get("load_before", "")).split()[:1]]
        after = [float(v) for v in str(load_after or "").split()[:1]]
        # The load at the end counts the suite's own threads, so only the load
        # before it started says whether other work shared the machine.
        if max(before, default=0) > 0.5:
            self.add(f"- **the machine was shared during this run**: 1-minute load average "
                     f"{before[0]} before the suite started (other work), "
                     f"{after[0] if after else '?'} at its end (with the suite's own threads), on "
                     f"{ctx.get('num_cpus', '?')} CPUs; absolute times and % of peak are lower and "
                     "noisier than on an idle machine, ratios between the two sides are from the "
                     "same run")
        self.add("")

    # -- peer check
    def peer_check(self):
        self.add("## PyTorch peer matches the C++ model", "")
        c = self.check
        if not c:
            self.add("Not checked (the peer did not run).", "")
            return
        worst = max(c["errors"].values())
        self.add(f"Same weights and images (written by `model_benchmark --write_peer_inputs`). "
                 f"Logits of {c.get('logit_images', '?')} images: max difference "
                 f"{c['logits_max_abs_diff']:.2e} ({c['logits_max_abs_diff_ulp']:.1f} float32 ulp, "
                 f"allowed {c['logit_ulps_allowed']}); last layer's output map, contribution maps, "
                 f"BCE loss and all 27 parameter gradients ({c.get('check_images', '?')} images): "
                 f"worst relative error {worst:.2e} (allowed {c['tolerance']:.0e}). "
                 f"Result: **{'match' if c['ok'] else 'MISMATCH'}**.", "")

    # -- whole model
    def whole_model(self):
        self.add("## Whole model: CIFAR-10 9L-S-CoDA-SQ (configs/cifar10_9l_s.cfg)", "")
        gflop = next((v.get("GFLOP/img") for (c, _), v in self.ours.items() if c == "inference"), None)
        self.add(f"Random weights (seed 1), uniform random 32x32 images; forward = "
                 f"{fmt(gflop, 3)} GFLOP per image. Each case runs in its own process; peak "
                 "memory is that process's peak resident set (VmHWM), for both sides (the peer's "
                 "includes the Python interpreter and torch, listed as 'base').", "")
        rows = []
        for case in CASES:
            for b in self.batches:
                o, p = self.ours.get((case, b)), self.peer.get((case, b))
                if not o and not p:
                    continue
                o_ms = o.get("ms/img") if o else None
                p_ms = p.get("ms_per_img") if p else None
                gf = o.get("GFLOP/img") if o else None
                p_gflops = gf / (p_ms * 1e-3) if gf and p_ms else None
                o_mem = o.get("peak_rss_MB") if o else None
                p_mem = p.get("peak_rss_mb") if p else None
                rows.append([
                    case, b, fmt(o_ms, 2), fmt(o.get("GFLOP/s") if o else None),
                    fmt(o.get("pct_peak") if o else None, 0, "%"), fmt(p_ms, 1), fmt(p_gflops),
                    fmt(ratio(p_gflops, self.peak) and 100 * ratio(p_gflops, self.peak), 0, "%"),
                    fmt(ratio(p_ms, o_ms), 1, "x"), fmt(o_mem, 0),
                    f"{fmt(p_mem, 0)} (base {fmt(p.get('base_rss_mb'), 0)})" if p else "-",
                    fmt(ratio(o_mem, p_mem), 3)])
        self.table(["case", "batch", "ours ms/img", "ours GFLOP/s", "ours % peak", "PyTorch ms/img",
                    "PyTorch GFLOP/s", "PyTorch % peak", "speed-up", "ours peak MB",
                    "PyTorch peak MB", "memory ours/PyTorch"], rows)
        self.add("Cases: " + "; ".join(f"`{c}` = {t}" for c, t in CASE_TEXT.items()) + ". "
                 "GFLOP per image: forward; forward + backward (spec 3.4, materialised form) for a "
                 "training step (Adam not counted); forward + one contribution pass per explained "
                 "class, counted as 2(ODr + 2OD) per position (w rebuilt from z, as in "
                 "layer_benchmark), so the explain cases' GFLOP/s count more work per class than "
                 "PyTorch, which keeps w from the forward pass, does. Speed-up = PyTorch ms/img / "
                 "ours.", "")
        over = sorted({f"{c} batch {b}" for (c, b), v in self.ours.items()
                       if (v.get("pct_peak") or 0) > 100})
        if over:
            self.add(f"Above 100% of peak ({', '.join(over)}): the implementation does less "
                     "arithmetic than this count (e.g. the dynamic weights built once per position "
                     "and shared by all explained classes), so read those rows as times, not as "
                     "FMA-unit utilisation.", "")
        rows = []
        for b in self.batches:
            o1, o10 = self.ours.get(("explain_one", b)), self.ours.get(("explain_all", b))
            p1, p10 = self.peer.get(("explain_one", b)), self.peer.get(("explain_all", b))
            rows.append([b, fmt(ratio(o10 and o10["ms/img"], o1 and o1["ms/img"]), 2, "x"),
                         fmt(ratio(p10 and p10["ms_per_img"], p1 and p1["ms_per_img"]), 2, "x")])
        if rows:
            self.add("Cost of all 10 classes relative to one class (time ratio):", "")
            self.table(["batch", "ours", "PyTorch"], rows)

    # -- per layer
    def layer_table(self):
        self.add("## Per layer and pass (layer_benchmark, the checked-in schedules)", "")
        if not self.layer_results:
            self.add("Not measured.", "")
            return
        batches = sorted({int(m.group(1)) for n in self.layer_results
                          for m in [re.search(r"batch:(\d+)", n)] if m}, reverse=True)
        for b in batches:
            self.add(f"Batch {b}: GFLOP/s, % of the FMA peak, ms per image.", "")
            rows = []
            for i in range(1, 10):
                shape = self.shape_text(i)
                row = [f"L{i}", shape]
                found = False
                for p in PASSES:
                    v = self.layer_results.get(f"{p}/L{i}/batch:{b}")
                    found |= v is not None
                    row += [fmt(v and v.get("GFLOP/s")), fmt(v and v.get("pct_peak"), 0, "%"),
                            fmt(v and v.get("ms/img"), 3)]
                if found:
                    rows.append(row)
            self.table(["layer", "Cin>O, r, k/s, map"] +
                       [f"{p} {c}" for p in PASSES for c in ("GFLOP/s", "%peak", "ms/img")], rows)
        self.algorithm_forms(batches)

    # Where the runtime may pick Winograd's form (3x3, stride 1), and when.
    FORM_RULES = {
        "forward": "Winograd's on calls of at least 16 input channels and 512 2x2 tiles, "
                   "else the direct one; schedules/forward_form.h",
        "contribution": "Winograd's on one-class calls of at least 32 input channels and 128 "
                        "2x2 tiles, else the direct one; schedules/contribution_form.h",
    }

    def algorithm_forms(self, batches):
        """The runtime's form of a pass against its direct form, same run."""
        for p, rule in self.FORM_RULES.items():
            rows = []
            for b in batches:
                for i in range(1, 10):
                    direct = self.layer_results.get(f"{p}_direct/L{i}/batch:{b}")
                    chosen = self.layer_results.get(f"{p}/L{i}/batch:{b}")
                    if direct and chosen:
                        rows.append([f"L{i}", str(b), fmt(chosen.get("ms/img"), 3),
                                     fmt(direct.get("ms/img"), 3),
                                     fmt(ratio(direct.get("ms/img"), chosen.get("ms/img")), 2,
                                         "x")])
            if rows:
                self.add(f"{p.capitalize()} pass of the 3x3 stride-1 layers: the runtime's form "
                         f"({rule}) against the direct form, ms per image.", "")
                self.table(["layer", "batch", "runtime ms/img", "direct ms/img", "speed-up"], rows)

    def shape_text(self, i):
        if i > len(self.shapes):
            return "-"
        s = self.shapes[i - 1]
        return (f"{s['cin']}>{s['out']}, r{s['rank']}, {s['k']}/{s['stride']}, "
                f"{s['size_in']}>{s['size_out']}")

    # -- schedules
    def schedule_table(self):
        self.add("## Schedules: tuned vs naive vs Halide's autoschedulers (schedule_benchmark)", "")
        if not self.schedule_results:
            self.add("Not measured (no schedule_benchmark results).", "")
            return
        self.add("GFLOP/s per schedule; 'tuned / best auto' is the speed ratio of the tuned schedule "
                 "to the fastest of the three autoschedulers. Backward: each schedule in its faster "
                 "algorithm form (low-rank, spec 3.3, or materialised, 3.2; the autoschedulers "
                 "planned both), tuned in the form the runtime runs (schedules/backward_form.h), "
                 "named in 'tuned form'.", "")
        keys = {}
        for n in self.schedule_results:
            m = re.match(r"(\w+)/L(\d+)/(\w+)/batch:(\d+)$", n)
            if m:
                keys[(m.group(1), int(m.group(2)), int(m.group(4)))] = True
        rows = []
        for p in PASSES:
            for b in sorted({k[2] for k in keys}, reverse=True):
                for i in sorted({k[1] for k in keys if k[0] == p and k[2] == b}):
                    v = {s: self.schedule_results.get(f"{p}/L{i}/{s}/batch:{b}") for s in SCHEDULES}
                    g = {s: (x.get("GFLOP/s") if x else None) for s, x in v.items()}
                    autos = [g[s] for s in AUTOSCHEDULERS if g[s]]
                    best = max(autos) if autos else None
                    rows.append([p, f"L{i}", b] + [fmt(g[s]) for s in SCHEDULES] +
                                [fmt(v["tuned"] and v["tuned"].get("pct_peak"), 0, "%"),
                                 fmt(ratio(g["tuned"], g["naive"]), 1, "x"),
                                 fmt(ratio(g["tuned"], best), 1, "x"),
                                 (v["tuned"] or {}).get("form", "")])
        self.table(["pass", "layer", "batch"] + SCHEDULES +
                   ["tuned % peak", "tuned / naive", "tuned / best auto", "tuned form"], rows)

    # -- targets
    def evaluate_targets(self):
        # Forward of each heavy layer at batch 64 >= 85 % of peak.
        heavy = [i + 1 for i, s in enumerate(self.shapes) if s["D"] >= 144]
        pct = []
        for i in heavy:
            v = self.layer_results.get(f"forward/L{i}/batch:64") or self.schedule_results.get(
                f"forward/L{i}/tuned/batch:64")
            if v and v.get("pct_peak") is not None:
                pct.append((v["pct_peak"], i))
        worst = min(pct) if len(pct) == len(heavy) and pct else None
        self.target(f"forward of each heavy layer (D = Cin*k*k >= 144: "
                    f"{', '.join('L%d' % i for i in heavy)}) at batch 64 >= 85% of FMA peak",
                    worst, worst and f"lowest {worst[0]:.1f}% (L{worst[1]})",
                    worst and worst[0] >= 85)

        def speedup(case, b):
            o, p = self.ours.get((case, b)), self.peer.get((case, b))
            return ratio(p and p["ms_per_img"], o and o["ms/img"])

        s = speedup("inference", 64)
        self.target("whole-net forward at batch 64 >= 8x faster than PyTorch", s,
                    s and f"{s:.1f}x", s and s >= 8)
        s = speedup("train_step", 64)
        self.target("training step at batch 64 >= 6x faster than PyTorch", s, s and f"{s:.1f}x",
                    s and s >= 6)
        o, p = self.ours.get(("train_step", 64)), self.peer.get(("train_step", 64))
        m = ratio(o and o.get("peak_rss_MB"), p and p.get("peak_rss_mb"))
        self.target("training step at batch 64: peak memory <= 1/4 of PyTorch's", m,
                    m and f"{m:.3f} ({o['peak_rss_MB']:.0f} / {p['peak_rss_mb']:.0f} MB)",
                    m and m <= 0.25)
        for b in self.batches:
            s = speedup("explain_one", b)
            self.target(f"contribution maps, one class, batch {b}: >= 8x faster than PyTorch", s,
                        s and f"{s:.1f}x{self.beyond_peak('explain_one', b, 8)}", s and s >= 8)
        for b in self.batches:
            o1, o10 = self.ours.get(("explain_one", b)), self.ours.get(("explain_all", b))
            r = ratio(o10 and o10["ms/img"], o1 and o1["ms/img"])
            self.target(f"contribution maps, batch {b}: all 10 classes <= 2x one class", r,
                        r and f"{r:.2f}x", r and r <= 2)
        for p in PASSES:
            worst, measured = None, set()
            for n, v in self.schedule_results.items():
                m = re.match(rf"{p}/L(\d+)/tuned/batch:(\d+)$", n)
                if not m:
                    continue
                autos = [self.schedule_results.get(f"{p}/L{m.group(1)}/{s}/batch:{m.group(2)}")
                         for s in AUTOSCHEDULERS]
                autos = [a["GFLOP/s"] for a in autos if a and a.get("GFLOP/s")]
                if autos and v.get("GFLOP/s"):
                    measured.add(int(m.group(1)))
                    r = (v["GFLOP/s"] / max(autos), f"L{m.group(1)} batch {m.group(2)}")
                    worst = r if worst is None or r < worst else worst
            text = f"{p}: tuned >= 3x the best Halide autoscheduler on every layer"
            if worst and len(measured) < len(self.shapes):
                self.targets.append((text, f"lowest {worst[0]:.1f}x ({worst[1]})",
                                     f"incomplete ({len(measured)} of {len(self.shapes)} layers)"))
                continue
            self.target(text, worst, worst and f"lowest {worst[0]:.1f}x ({worst[1]})",
                        worst and worst[0] >= 3)

    def beyond_peak(self, case, b, times):
        """Says so when `times`x the peer needs fewer ms/img than the case's FLOP
        count (the reference's way) takes at the measured FMA peak: only less
        arithmetic than that count (e.g. the Winograd contribution form) can
        meet it in this run."""
        o, p = self.ours.get((case, b)), self.peer.get((case, b))
        if not (o and p and self.peak and o.get("GFLOP/img")):
            return ""
        needed = p["ms_per_img"] / times
        floor = 1e3 * o["GFLOP/img"] / self.peak
        if needed >= floor:
            return ""
        return (f" (needs <= {needed:.1f} ms/img; the reference count's {o['GFLOP/img']:.2f} "
                f"GFLOP/img take {floor:.1f} ms/img at the FMA peak)")

    def targets_table(self):
        self.add("## Targets of issue 6", "")
        self.table(["target", "measured", "result"], self.targets)

    def build(self):
        self.header()
        self.evaluate_targets()
        self.targets_table()
        self.peer_check()
        self.whole_model()
        self.layer_table()
        self.schedule_table()
        return "\n".join(self.lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", default="out/bench")
    p.add_argument("--config", default="configs/cifar10_9l_s.cfg",
                   help="the model's config (layer shapes)")
    p.add_argument("--out", help="markdown file (default: print)")
    p.add_argument("--tuning",
                   default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                        "schedules", "x86", "tuning.h"),
                   help="the x86 tuning header the build used (its machine is compared with "
                        "the run's; scripts/bench.sh passes the build's)")
    args = p.parse_args()
    text = Report(args.dir, args.config, args.tuning).build()
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
