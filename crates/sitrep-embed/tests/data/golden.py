# Writes tests/data/golden.jsonl (run from the workspace root, in a throwaway venv with numpy,
# tokenizers and safetensors from PyPI):
#   python crates/sitrep-embed/tests/data/golden.py models/minilm "sentence" ... > crates/sitrep-embed/tests/data/golden.jsonl
# Reference for sitrep-embed's golden test: transformers' BertModel forward pass (eval mode,
# erf GELU, post-layer-norm) written out in numpy float64; HF's Python tokenizers (no padding,
# truncation 256); sentence-transformers' mean pooling + L2 normalisation.
import json, sys, math, numpy as np
from tokenizers import Tokenizer
from safetensors.numpy import load_file
d = sys.argv[1]
cfg = json.load(open(d + "/config.json"))
W = {k: v.astype(np.float64) for k, v in load_file(d + "/model.safetensors").items()}
tok = Tokenizer.from_file(d + "/tokenizer.json")
tok.no_padding(); tok.enable_truncation(256)
erf = np.vectorize(math.erf)
def ln(x, p):
    m = x.mean(-1, keepdims=True); v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + cfg["layer_norm_eps"]) * W[p + ".weight"] + W[p + ".bias"]
def lin(x, p): return x @ W[p + ".weight"].T + W[p + ".bias"]
def embed(text):
    ids = tok.encode(text).ids; n = len(ids)
    x = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][:n] + W["embeddings.token_type_embeddings.weight"][0]
    x = ln(x, "embeddings.LayerNorm")
    H = cfg["num_attention_heads"]; dh = cfg["hidden_size"] // H
    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        q = lin(x, p + "attention.self.query").reshape(n, H, dh).transpose(1, 0, 2)
        k = lin(x, p + "attention.self.key").reshape(n, H, dh).transpose(1, 0, 2)
        v = lin(x, p + "attention.self.value").reshape(n, H, dh).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(dh)
        s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
        c = (s @ v).transpose(1, 0, 2).reshape(n, -1)
        x = ln(lin(c, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        h = lin(x, p + "intermediate.dense"); h = 0.5 * h * (1 + erf(h / math.sqrt(2)))
        x = ln(lin(h, p + "output.dense") + x, p + "output.LayerNorm")
    m = x.mean(0)
    return m / np.linalg.norm(m)
for t in sys.argv[2:]:
    e = embed(t)
    print(json.dumps({"text": t, "first8": [round(float(v), 6) for v in e[:8]]}))
