"""Makes the tiny GPT-2 fixture that Java's Gpt2CheckpointTest loads (run where torch and transformers exist).

    python3 src/bench/make_gpt2_fixture.py [out_folder]     # default: src/test/resources/gpt2-tiny (+ gpt2-tiny-lora beside it)
    python3 src/bench/make_gpt2_fixture.py check BASE ADAPTER EXPECTED   # an adapter Java wrote, loaded by PEFT

Writes, with transformers' own code and file formats:
  model.safetensors, config.json   a GPT2LMHeadModel: 2 layers, n_embd 64, 4 heads, n_positions 64, and a
                                   byte-level BPE vocabulary of 300 tokens trained here on a little Java text;
  vocab.json, merges.txt           that vocabulary, GPT-2's file formats;
  expected.json                    input ids (the sample text encoded by GPT2TokenizerFast), HF's logits for
                                   them in eval mode, the loss for labels = input_ids, and the sum of squares
                                   of a few gradients of that loss (HF's key names).
  ../gpt2-tiny-lora/                a PEFT LoRA adapter on it (adapter_model.safetensors, adapter_config.json) and
                                   PeftModel's logits for the same inputs (expected.json).
Every parameter (biases and LayerNorms included) is drawn at random, so that loading any of them wrongly
changes the logits. Dropout is 0 so that a training-mode gradient equals HF's.
"""
import json
import os
import sys

import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

OUT = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "check" else os.path.join(os.path.dirname(__file__), "..", "test", "resources", "gpt2-tiny")
SAMPLE = "public int size() { return count; }"
CORPUS = [
    "public final class Counter {\n    private int count;\n    public int size() { return count; }\n}\n",
    "import java.util.List;\nimport java.util.Map;\n\npublic static void main(String[] args) {\n    return;\n}\n",
    "for (int i = 0; i < n; i++) { sum += x[i]; }\nif (count > 0) { return sum / count; }\n",
] * 20
GRADIENTS = ["transformer.wte.weight", "transformer.wpe.weight", "transformer.h.0.attn.c_attn.weight",
             "transformer.h.0.attn.c_attn.bias", "transformer.h.1.mlp.c_fc.weight", "transformer.h.1.mlp.c_proj.bias",
             "transformer.h.1.ln_2.weight", "transformer.ln_f.bias"]


def main():
    os.makedirs(OUT, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=300, min_frequency=2, special_tokens=["<|endoftext|>"])
    for stale in os.listdir(OUT):
        os.remove(os.path.join(OUT, stale))
    bpe.save_model(OUT)  # vocab.json, merges.txt: GPT-2's two tokenizer files
    tok = GPT2TokenizerFast.from_pretrained(OUT)

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tok), n_positions=64, n_embd=64, n_layer=2, n_head=4,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, activation_function="gelu_new",
                        bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
    model = GPT2LMHeadModel(config)
    with torch.no_grad():
        for name, p in model.named_parameters():  # lm_head.weight is wte's, listed once
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.copy_(0.15 * torch.randn_like(p))
    model.eval()
    model.save_pretrained(OUT, safe_serialization=True)
    if os.path.exists(os.path.join(OUT, "generation_config.json")):
        os.remove(os.path.join(OUT, "generation_config.json"))  # not read here

    ids = [tok.encode(SAMPLE), tok.encode("if (count > 0) { return sum; }")]
    t = min(len(i) for i in ids)
    ids = [i[:t] for i in ids]
    x = torch.tensor(ids)
    out = model(x, labels=x)
    out.loss.backward()
    params = dict(model.named_parameters())
    expected = {
        "sample": SAMPLE,
        "sample_ids": tok.encode(SAMPLE),
        "input_ids": ids,
        "logits": [[[round(float(v), 7) for v in row] for row in seq] for seq in out.logits.detach()],
        "loss": float(out.loss),
        "grad_sum_of_squares": {k: float((params[k].grad.double() ** 2).sum()) for k in GRADIENTS},
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
    sizes = {n: os.path.getsize(os.path.join(OUT, n)) for n in sorted(os.listdir(OUT))}
    print("wrote", OUT, sizes, "total", sum(sizes.values()), "bytes")
    print("vocab", len(tok), "ids", ids, "loss", float(out.loss))




def make_peft_fixture(base_dir, out_dir):
    """A PEFT LoRA adapter on the fixture (r 4, alpha 8, c_attn/c_proj/c_fc), B drawn at random so that it matters,
    saved by PEFT (adapter_model.safetensors + adapter_config.json), with PeftModel's logits for the same inputs and
    the merged model's (merge_and_unload) as a check of PEFT itself."""
    from peft import LoraConfig, PeftModel, get_peft_model
    os.makedirs(out_dir, exist_ok=True)
    for stale in os.listdir(out_dir):
        os.remove(os.path.join(out_dir, stale))
    base = GPT2LMHeadModel.from_pretrained(base_dir)
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["c_attn", "c_proj", "c_fc"],
                        fan_in_fan_out=True, bias="none", task_type="CAUSAL_LM")
    torch.manual_seed(1)
    model = get_peft_model(base, config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_(0.2 * torch.randn_like(p))
    model.eval()
    model.save_pretrained(out_dir, safe_serialization=True)
    if os.path.exists(os.path.join(out_dir, "README.md")):
        os.remove(os.path.join(out_dir, "README.md"))
    cfg_file = os.path.join(out_dir, "adapter_config.json")
    with open(cfg_file) as f:
        cfg = json.load(f)
    cfg["base_model_name_or_path"] = "gpt2-tiny"  # not this machine's path
    with open(cfg_file, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
    with open(os.path.join(base_dir, "expected.json")) as f:
        ids = json.load(f)["input_ids"]
    x = torch.tensor(ids)
    with torch.no_grad():
        logits = model(x).logits
    reloaded = PeftModel.from_pretrained(GPT2LMHeadModel.from_pretrained(base_dir), out_dir).eval()
    with torch.no_grad():
        again = reloaded(x).logits
        merged = reloaded.merge_and_unload()(x).logits
    expected = {"input_ids": ids, "logits": [[[round(float(v), 7) for v in row] for row in seq] for seq in logits]}
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f)
    sizes = {n: os.path.getsize(os.path.join(out_dir, n)) for n in sorted(os.listdir(out_dir))}
    print("wrote", out_dir, sizes)
    print("PEFT reload matches: max |diff|", float((again - logits).abs().max()), "; merged:", float((merged - logits).abs().max()),
          "; adapter changes logits by up to", float((logits - GPT2LMHeadModel.from_pretrained(base_dir)(x).logits).abs().max()))


def check_java_adapter(base_dir, adapter_dir, expected_json):
    """Loads an adapter that Java wrote (PEFT's format) with PeftModel.from_pretrained and compares the logits Java printed."""
    from peft import PeftModel
    with open(expected_json) as f:
        e = json.load(f)
    model = PeftModel.from_pretrained(GPT2LMHeadModel.from_pretrained(base_dir), adapter_dir).eval()
    with torch.no_grad():
        logits = model(torch.tensor(e["input_ids"])).logits
    print("Java adapter in PEFT: max |logit diff|", float((logits - torch.tensor(e["logits"])).abs().max()))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        check_java_adapter(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
        make_peft_fixture(OUT, os.path.join(os.path.dirname(os.path.abspath(OUT)), "gpt2-tiny-lora"))
