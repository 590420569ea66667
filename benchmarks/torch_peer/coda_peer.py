#!/usr/bin/env python3
"""The CIFAR-10 9L-S CoDA-Net in PyTorch eager, written the way the reference
implementation (moboehle/CoDA-Nets) does it, as the peer of the C++/Halide
model benchmark (spec section 1.4 and 2):

  z = conv2d(X, C); V = conv1x1(z, M) + b viewed as (B, D, O, H', W') with the
  patch index the SLOW index; patches via F.unfold; the dynamic weights are
  materialised; the product is summed over D and divided by the squashing norm
  n = (1 + s) / q; AddInverse input; sum pool; logits = pooled / T + log(0.1/0.9);
  BCE with logits; autograd; torch.optim.Adam. Explanation mode detaches w and
  n, and a contribution map is input x gradient of the class logit on the
  6-channel input (spec 4.1).

It loads the weights and inputs that `model_benchmark --write_peer_inputs=DIR`
wrote (safetensors, parsed with json + numpy):

  coda_peer.py check DIR             compares logits, contribution maps, the BCE
                                     loss and every parameter gradient with the
                                     C++ results; exits 1 on a mismatch
  coda_peer.py run DIR --case C --batch B [--threads N] [--reps R] [--out F]
                                     times one case (inference, train_step,
                                     explain_one, explain_all) in this process
                                     and prints / writes JSON, including the
                                     process's peak resident set (VmHWM)

Needs only Debian's python3-torch and python3-numpy.
"""
import argparse
import json
import math
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

CASES = ("inference", "train_step", "explain_one", "explain_all")

# Tolerances of `check` (float32 on both sides, different summation orders):
# relative L2 error of the last layer's output map (before the sum pool), of
# the contribution maps and of each parameter gradient, and the relative error
# of the loss, at most TOLERANCE; the logits themselves may differ by at most
# LOGIT_ULPS float32 units in the last place of the largest |logit| (at random
# initialisation logit - b0 is ~1e-4, below the float32 resolution of a logit
# near b0 = -2.2, so a relative check of logit - b0 would test rounding only).
TOLERANCE = 1e-4
LOGIT_ULPS = 8


# ---------------------------------------------------------------------------
# Inputs


def read_safetensors(path):
    """Returns ({name: float32 ndarray}, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n])
    data = blob[8 + n :]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        a = np.frombuffer(data[begin:end], dtype="<f4")
        tensors[name] = a.reshape(info["shape"]).astype(np.float32)
    return tensors, metadata


def parse_config(text):
    """The model part of a CoDA-Halide config (configs/*.cfg format)."""
    cfg = {"add_inverse": True, "input_pad": 0, "layers": [], "logit_bias": math.log(0.1 / 0.9)}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, value = (s.strip() for s in line.split("=", 1))
        if key == "input":
            cfg["input"] = [int(v) for v in value.split("x")]
        elif key == "input_pad":
            cfg["input_pad"] = int(value)
        elif key == "add_inverse":
            cfg["add_inverse"] = value == "true"
        elif key == "norm":
            cfg["norm"] = value
        elif key == "temperature":
            cfg["temperature"] = float(value)
        elif key == "logit_bias":
            cfg["logit_bias"] = float(value)
        elif key == "layer":
            out, rank, k, stride, pad = (int(v) for v in value.split())
            cfg["layers"].append((out, rank, k, stride, pad))
    if cfg.get("norm") != "squash":
        raise ValueError(f"the peer implements the squashing norm only, config has {cfg.get('norm')}")
    if cfg["input_pad"] != 0:
        raise ValueError("the peer does not implement input_pad")
    return cfg


# ---------------------------------------------------------------------------
# The model, reference style


class AddInverse(torch.nn.Module):
    def forward(self, x):
        return torch.cat([x, 1 - x], dim=1)


class CoDAConv2d(torch.nn.Module):
    """One CoDA layer as in the reference's DAUConv2d (modules/DAUs.py)."""

    def __init__(self, in_channels, out_channels, rank, kernel, stride, padding):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel, self.stride, self.padding = kernel, stride, padding
        self.patch = in_channels * kernel * kernel
        self.C = torch.nn.Conv2d(in_channels, rank, kernel, stride, padding, bias=False)
        self.M = torch.nn.Conv2d(rank, out_channels * self.patch, 1, bias=True)
        self.explanation_mode = False

    def dynamic_weights(self, x):
        v = self.M(self.C(x))  # (B, O*D, H', W')
        b, _, h, w = v.shape
        return v.view(b, self.patch, self.out_channels, h, w)  # patch index d is the slow one

    def forward(self, x):
        weights = self.dynamic_weights(x)
        b, _, _, h, w = weights.shape
        # squashing: y = (w.x) / n with n = (1 + ||w||^2) / ||w||
        sq = (weights * weights).sum(1)
        norm = (1 + sq) / sq.sqrt()
        if self.explanation_mode:
            weights, norm = weights.detach(), norm.detach()
        patches = F.unfold(x, self.kernel, padding=self.padding, stride=self.stride)
        patches = patches.view(b, self.patch, 1, h, w)
        return (weights * patches).sum(1) / norm


class CoDANet(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.encode = AddInverse() if cfg["add_inverse"] else torch.nn.Identity()
        channels = cfg["input"][0] * (2 if cfg["add_inverse"] else 1)
        layers = []
        for out, rank, k, stride, pad in cfg["layers"]:
            layers.append(CoDAConv2d(channels, out, rank, k, stride, pad))
            channels = out
        self.layers = torch.nn.Sequential(*layers)

    def explanation_mode(self, on):
        for layer in self.layers:
            layer.explanation_mode = on

    def forward_encoded(self, x):
        pooled = self.layers(x).sum(dim=(2, 3))  # AdaptiveSumPool2d(1)
        return pooled / self.cfg["temperature"] + self.cfg["logit_bias"]

    def forward(self, images):
        return self.forward_encoded(self.encode(images))

    def load(self, tensors):
        with torch.no_grad():
            for i, layer in enumerate(self.layers):
                layer.C.weight.copy_(torch.from_numpy(tensors[f"layers.{i}.C"]))
                layer.M.weight.copy_(torch.from_numpy(tensors[f"layers.{i}.M"]))
                layer.M.bias.copy_(torch.from_numpy(tensors[f"layers.{i}.b"]))


def load(directory):
    weights, meta = read_safetensors(os.path.join(directory, "model.safetensors"))
    data, data_meta = read_safetensors(os.path.join(directory, "data.safetensors"))
    net = CoDANet(parse_config(meta["config"]))
    net.load(weights)
    return net, data, data_meta


def one_hot(labels, classes):
    return F.one_hot(labels, classes).to(torch.float32)


def contributions(net, images, classes):
    """Input x gradient of each image's class logit on the 6-channel input, detached."""
    net.explanation_mode(True)
    try:
        x = net.encode(images).detach().requires_grad_(True)
        logits = net.forward_encoded(x)
        chosen = logits.gather(1, classes.view(-1, 1)).sum()
        (grad,) = torch.autograd.grad(chosen, x)
        return x.detach() * grad
    finally:
        net.explanation_mode(False)


def contributions_all_classes(net, images):
    """All classes: one forward shared by all classes, then one backward per class
    (retain_graph). The reference explains a class per captum call, each with its
    own forward pass; sharing it makes the peer faster, never slower."""
    net.explanation_mode(True)
    try:
        x = net.encode(images).detach().requires_grad_(True)
        logits = net.forward_encoded(x)
        maps = []
        classes = logits.shape[1]
        for c in range(classes):
            (grad,) = torch.autograd.grad(logits[:, c].sum(), x, retain_graph=c + 1 < classes)
            maps.append((x.detach() * grad).sum(1))  # channel-summed map
        return maps
    finally:
        net.explanation_mode(False)


# ---------------------------------------------------------------------------
# check


def rel_l2(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def check(args):
    torch.set_num_threads(args.threads)
    net, data, meta = load(args.dir)
    images = torch.from_numpy(data["images"])
    labels = torch.from_numpy(data["labels"]).long()
    b0 = net.cfg["logit_bias"]
    results = {}
    with torch.no_grad():
        x = net.encode(images)
        final_map = net.layers(x)
        logits = net.forward_encoded(x).numpy()
    results["last layer output map"] = rel_l2(final_map.numpy(), data["final_map"])
    ulp = float(np.spacing(np.float32(np.abs(data["logits"]).max())))
    logit_diff = float(np.abs(logits - data["logits"]).max())

    n = int(meta["check_images"])
    phi = contributions(net, images[:n], labels[:n]).numpy()
    results["contribution maps"] = rel_l2(phi, data["contributions"])

    net.zero_grad()
    loss = F.binary_cross_entropy_with_logits(
        net(images[:n]), one_hot(labels[:n], len(logits[0])))
    loss.backward()
    results["BCE loss"] = abs(loss.item() - float(meta["loss"])) / abs(float(meta["loss"]))
    for i, layer in enumerate(net.layers):
        for name, p in (("C", layer.C.weight), ("M", layer.M.weight), ("b", layer.M.bias)):
            results[f"grad layer {i + 1} {name}"] = rel_l2(
                p.grad.numpy(), data[f"grad.layers.{i}.{name}"])

    worst = max(results.values())
    logits_ok = logit_diff <= LOGIT_ULPS * ulp
    print(f"  {'logits':24s} max abs diff {logit_diff:.2e} = {logit_diff / ulp:.1f} ulp"
          f"{'' if logits_ok else '  MISMATCH'}")
    for k, v in results.items():
        print(f"  {k:24s} rel err {v:.2e}{'' if v <= TOLERANCE else '  MISMATCH'}")
    ok = worst <= TOLERANCE and logits_ok
    report = {"tolerance": TOLERANCE, "errors": results, "ok": ok,
              "logits_max_abs_diff": logit_diff, "logits_max_abs_diff_ulp": logit_diff / ulp,
              "logit_ulps_allowed": LOGIT_ULPS, "max_abs_logit_minus_b0":
              float(np.abs(data["logits"] - b0).max()), "check_images": n,
              "logit_images": int(len(logits))}
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)
    if not ok:
        print(f"coda_peer: the PyTorch peer does NOT match the C++ model (worst relative error "
              f"{worst:.2e}, tolerance {TOLERANCE:.0e}; logits {logit_diff / ulp:.1f} ulp, "
              f"tolerance {LOGIT_ULPS})", file=sys.stderr)
        return 1
    print(f"coda_peer: PyTorch peer matches the C++ model (worst relative error {worst:.2e}, "
          f"tolerance {TOLERANCE:.0e}; logits within {logit_diff / ulp:.1f} ulp)")
    return 0


# ---------------------------------------------------------------------------
# run


def status_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def run(args):
    torch.set_num_threads(args.threads)
    base_rss = status_mb("VmRSS")
    net, data, _ = load(args.dir)
    if args.batch > data["images"].shape[0]:
        raise SystemExit(f"coda_peer: batch {args.batch} > the {data['images'].shape[0]} images written")
    images = torch.from_numpy(data["images"][: args.batch].copy())
    labels = torch.from_numpy(data["labels"][: args.batch]).long()
    targets = one_hot(labels, net.cfg["layers"][-1][0])
    optimizer = torch.optim.Adam(net.parameters(), lr=float(args.lr))

    def inference():
        with torch.no_grad():
            return net(images)

    def train_step():
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(net(images), targets)
        loss.backward()
        optimizer.step()

    def explain_one():
        return contributions(net, images, labels).sum(1)

    def explain_all():
        return contributions_all_classes(net, images)

    step = {"inference": inference, "train_step": train_step, "explain_one": explain_one,
            "explain_all": explain_all}[args.case]
    for _ in range(args.warmup):
        step()
    times = []
    start = time.perf_counter()
    while len(times) < args.reps and (not times or time.perf_counter() - start < args.max_seconds):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    median = statistics.median(times)
    result = {
        "case": args.case,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "warmup": args.warmup,
        "times_s": times,
        "median_s": median,
        "ms_per_img": 1e3 * median / args.batch,
        "img_per_s": args.batch / median,
        "peak_rss_mb": status_mb("VmHWM"),
        "base_rss_mb": base_rss,
    }
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="compare with the C++ model's outputs")
    c.add_argument("dir")
    c.add_argument("--threads", type=int, default=int(os.environ.get("HL_NUM_THREADS", "2")))
    c.add_argument("--out", help="write the errors as JSON here")
    r = sub.add_parser("run", help="time one case")
    r.add_argument("dir")
    r.add_argument("--case", choices=CASES, required=True)
    r.add_argument("--batch", type=int, required=True)
    r.add_argument("--threads", type=int, default=int(os.environ.get("HL_NUM_THREADS", "2")))
    r.add_argument("--warmup", type=int, default=1)
    r.add_argument("--reps", type=int, default=5, help="timed repetitions (at least one)")
    r.add_argument("--max-seconds", type=float, default=30.0,
                   help="stop repeating once this much time was spent (after one repetition)")
    r.add_argument("--lr", default="1e-6", help="Adam learning rate (the C++ side uses 1e-6)")
    r.add_argument("--out", help="write the result as JSON here")
    args = p.parse_args()
    try:
        return check(args) if args.command == "check" else run(args)
    except (OSError, KeyError, ValueError) as e:
        print(f"coda_peer: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
