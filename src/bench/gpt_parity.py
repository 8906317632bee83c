"""PyTorch side of GptParityTest: the lecture's GPT, loaded with the Java model's weights.

Reads a buildgpt parameter file (one JSON header line, then little-endian float32 tensors in header
order; see ParameterFile.java), builds the same architecture, runs one batch (dropout 0), writes the
logits (B, T, V) as raw little-endian float32 to --logits-out, the gradients of the loss (autograd) as
a buildgpt parameter file to --grads-out, and prints "LOSS <value>".

  python3 gpt_parity.py --params p.bin --vocab 65 --block 32 --embd 64 --head 4 --layer 4 \
      --batch 2 --time 8 --idx 1,2,... --targets 2,3,... --logits-out logits.bin --grads-out grads.bin
"""
import argparse
import hashlib
import json

import numpy as np
import torch

# The same module the benchmark reference trains, so both compare against one PyTorch definition.
from lecture_gpt import GPTLanguageModel


def read_parameters(path):
    with open(path, 'rb') as f:
        header = json.loads(f.readline().decode('utf-8'))
        assert header['format'] == 'buildgpt-parameters' and header['dtype'] == 'float32' and header['byte_order'] == 'little'
        out = {}
        for t in header['tensors']:
            n = int(np.prod(t['shape']))
            out[t['name']] = torch.from_numpy(np.frombuffer(f.read(4 * n), dtype='<f4').reshape(t['shape']).copy())
        return out


def write_parameters(path, named):
    """Version 2 of the format: "sha256" is the SHA-256 of the whole file with its 64 hex digits as zeros."""
    tensors = [{'name': n, 'shape': list(t.shape)} for n, t in named]
    zeros = '0' * 64
    header = {'format': 'buildgpt-parameters', 'version': 2, 'dtype': 'float32', 'byte_order': 'little',
              'sha256': zeros, 'tensors': tensors}
    line = (json.dumps(header) + '\n').encode('utf-8')
    body = b''.join(t.detach().numpy().astype('<f4').tobytes() for _, t in named)
    digest = hashlib.sha256(line + body).hexdigest()
    with open(path, 'wb') as f:
        f.write(line.replace(zeros.encode('ascii'), digest.encode('ascii'), 1))
        f.write(body)


def main():
    ap = argparse.ArgumentParser()
    for name in ['vocab', 'block', 'embd', 'head', 'layer', 'batch', 'time']:
        ap.add_argument('--' + name, type=int, required=True)
    ap.add_argument('--params', required=True)
    ap.add_argument('--idx', required=True)
    ap.add_argument('--targets', required=True)
    ap.add_argument('--logits-out', required=True)
    ap.add_argument('--grads-out', required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = GPTLanguageModel(a.vocab, a.block, a.embd, a.head, a.layer)
    params = read_parameters(a.params)
    expected = {name for name, _ in model.named_parameters()}
    missing, extra = expected - params.keys(), params.keys() - expected
    if missing or extra:
        raise SystemExit(f'parameter names differ: missing {sorted(missing)}, unexpected {sorted(extra)}')
    model.load_state_dict(params, strict=False)  # strict=False only because the tril buffers are not parameters
    model.eval()
    idx = torch.tensor([int(v) for v in a.idx.split(',')]).view(a.batch, a.time)
    targets = torch.tensor([int(v) for v in a.targets.split(',')]).view(a.batch, a.time)
    logits, loss = model(idx, targets)
    loss.backward()
    logits.detach().numpy().astype('<f4').tofile(a.logits_out)
    write_parameters(a.grads_out, [(n, p.grad) for n, p in model.named_parameters()])
    print('PARAMS', sum(p.numel() for p in model.parameters()))
    print('LOSS', repr(loss.item()))


if __name__ == '__main__':
    main()
