"""Reference values for Java's NF4 + double quantization (QuantizedWeightBnbTest), computed with torch.

    python3 src/bench/make_nf4_fixture.py [out.json]     # default: src/test/resources/nf4/expected.json

bitsandbytes is not installable here, so this is an independent re-implementation, written from reading
bitsandbytes' documented algorithm (its pure-torch "default" backend and functional.py), not a copy:
  * NF4: per block of 64 values absmax (float32); scaled = clamp(w * (1/absmax), -1, 1); the code is the index
    of the nearest of the 16 published NF4 levels (argmin, first on ties); two codes per byte, the first value
    in the high nibble; an odd count is padded with a 0.0 value.
  * double quantization (compress_statistics=True): offset = mean(absmax); the centred absmax are quantized
    blockwise (blocks of 256) to 8 bits with the signed dynamic map (create_dynamic_map(signed=True), 7 exponent
    bits): absmax2 per block, nearest code of centred * (1/absmax2); dequantized: code[q] * absmax2 + offset.
The inputs come from an integer hash that Java reproduces exactly, so only the outputs are stored.
"""
import json
import os
import sys

import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "test", "resources", "nf4", "expected.json")
N = 64 * 300 + 37   # 301 blocks of 64 (the last partial), so 2 blocks of 256 absmax (the last partial)
NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
       -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
       0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
       0.7229568362236023, 1.0]   # bitsandbytes' published NF4 table (functional.get_4bit_type("nf4"))


def inputs():
    """w_i from an integer hash: heavy-tailed values, the block scale varying from block to block."""
    out = []
    for i in range(N):
        h = (i * 2654435761 + 12345) % 2 ** 32
        a = h / 2 ** 32 - 0.5
        out.append(a * a * a * 8.0 * (1 + (i // 64) % 7))
    return torch.tensor(out, dtype=torch.float32)


def dynamic_map():
    """The signed dynamic 8-bit map: per decade 10^-6 .. 10^0, 2^i midpoints of linspace(0.1, 1, 2^i + 1), both signs, 0 and 1."""
    data = []
    for i in range(7):
        b = torch.linspace(0.1, 1, 2 ** i + 1)
        means = (b[:-1] + b[1:]) / 2.0
        data += (10 ** (-6 + i) * means).tolist()
        data += (-(10 ** (-6 + i)) * means).tolist()
    data += [0.0, 1.0]
    assert len(data) == 256
    return torch.tensor(sorted(data), dtype=torch.float32)


def blockwise(a, block, code):
    """absmax per block and the nearest code of a * (1/absmax), clamped to [-1, 1]."""
    n = a.numel()
    blocks = (n + block - 1) // block
    absmax = torch.zeros(blocks, dtype=torch.float32)
    q = torch.zeros(n, dtype=torch.int64)
    for b in range(blocks):
        part = a[b * block:(b + 1) * block]
        absmax[b] = part.abs().max()
        scaled = torch.clamp(part * (1 / absmax[b]), -1, 1)
        q[b * block:(b + 1) * block] = torch.argmin((scaled.view(-1, 1) - code).abs(), dim=-1)
    return absmax, q


def main():
    w = inputs()
    nf4 = torch.tensor(NF4, dtype=torch.float32)
    absmax, q = blockwise(w, 64, nf4)
    qp = torch.cat([q, torch.tensor([7])]) if N % 2 else q          # pad: the code of 0.0
    packed = (qp[::2] << 4) | qp[1::2]
    dq4 = nf4[q] * absmax.repeat_interleave(64)[:N]                   # NF4 with float32 absmax

    code8 = dynamic_map()
    offset = absmax.mean()
    centred = absmax - offset
    absmax2, qabs = blockwise(centred, 256, code8)
    absmax_dq = code8[qabs] * absmax2.repeat_interleave(256)[:absmax.numel()] + offset
    dq = nf4[q] * absmax_dq.repeat_interleave(64)[:N]                 # NF4 with double-quantized absmax
    sample = list(range(0, N, 37))
    expected = {
        "n": N, "blocksize": 64, "blocksize2": 256,
        "nf4_code": nf4.tolist(), "dynamic_code": code8.tolist(),
        "packed_hex": bytes(packed.to(torch.uint8).tolist()).hex(),
        "absmax": absmax.tolist(), "offset": float(offset),
        "qabsmax_hex": bytes(qabs.to(torch.uint8).tolist()).hex(), "absmax2": absmax2.tolist(),
        "absmax_dequantized": absmax_dq.tolist(),
        "sample_index": sample, "sample_nf4": dq4[sample].tolist(), "sample_double_quant": dq[sample].tolist(),
    }
    os.makedirs(os.path.dirname(os.path.abspath(OUT)), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(expected, f)
    print("wrote", OUT, os.path.getsize(OUT), "bytes; offset", float(offset), "absmax2", absmax2.tolist(),
          "rms error nf4", float(((dq4 - w) ** 2).mean().sqrt()), "double quant", float(((dq - w) ** 2).mean().sqrt()))


if __name__ == "__main__":
    main()
