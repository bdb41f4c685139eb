#!/usr/bin/env python3
"""Exports a Qwen3-VL checkpoint (Hugging Face transformers) to DocLens's model layout WITH DeepStack.

Why this exists: the onnx-community Qwen3-VL export leaves DeepStack out (the three extra visual feature levels the
model adds after decoder layers 0..2), which costs OCR and grounding quality. DocLens feeds those levels whenever the
graphs declare them (src/inference/families/qwen3-vl/, docs/families.md); this script writes such graphs.

Layout (the onnx-community one, plus DeepStack I/O):
  onnx/vision_encoder.onnx        pixel_values [num_patches, 1536] f32, image_grid_thw [1, 3] i64
                                  -> image_features [num_image_tokens, hidden], deepstack_features.{k} [num_image_tokens, hidden]
  onnx/embed_tokens.onnx          input_ids [batch, seq] -> inputs_embeds [batch, seq, hidden]
  onnx/decoder_model_merged.onnx  inputs_embeds, attention_mask [batch, total], position_ids [3, batch, seq],
                                  past_key_values.{i}.key/value [batch, kv, past, head_dim],
                                  deepstack_embeds.{k} [batch, seq, hidden]
                                  -> logits [batch, seq, vocab], present.{i}.key/value
  config.json, generation_config.json, preprocessor_config.json (every key written), tokenizer files, chat template.
Each graph over 2 GB keeps its weights in `<graph>.onnx_data` (transformers.js naming).

The vision graph takes ONE image per call (t = 1), as DocLens feeds it. The model's position code loops over
`grid_thw` in Python (`.tolist()`, `.item()`), which a trace would freeze to one image size; the wrappers below
recompute the same values with tensor ops from `image_grid_thw` so the graph works for every size.

NOT RUN: no machine with PyTorch was available when this was written. `test_export.py` is the check (random tiny
Qwen3-VL, PyTorch vs onnxruntime vs the DocLens engine, |Δlogits| ≤ 1e-3); run it before trusting an export.

Usage:
  pip install torch transformers>=4.57 onnx onnxruntime
  python models/export/export_qwen3_vl.py --model Qwen/Qwen3-VL-2B-Instruct --out ~/models/qwen3-vl-2b-deepstack
  doclens models import ~/models/qwen3-vl-2b-deepstack
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

OPSET = 17


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def _parts(model: nn.Module) -> tuple[nn.Module, nn.Module, nn.Module]:
    """(vision model, text model, lm_head) of a Qwen3VLForConditionalGeneration, across transformers layouts."""
    inner = getattr(model, "model", model)
    visual = getattr(inner, "visual", None) or getattr(model, "visual")
    text = getattr(inner, "language_model", None) or getattr(inner, "model")
    return visual, text, model.lm_head


def torch_linspace(end: float, steps: torch.Tensor) -> torch.Tensor:
    """torch.linspace(0, end, steps) for a tensor `steps`, value for value: torch fills the first half as
    start + i·step and the second half as end − (steps − 1 − i)·step (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp)."""
    n = steps.to(torch.int64)
    i = torch.arange(n, dtype=torch.int64)
    step = torch.tensor(end, dtype=torch.float32) / (n - 1).clamp(min=1).to(torch.float32)
    half = torch.div(n, 2, rounding_mode="floor")
    first = i.to(torch.float32) * step
    second = torch.tensor(end, dtype=torch.float32) - (n - 1 - i).to(torch.float32) * step
    out = torch.where(i < half, first, second)
    # steps == 1: torch returns [start].
    return torch.where(n == 1, torch.zeros_like(out), out)


class VisionEncoder(nn.Module):
    """Qwen3VLVisionModel.forward for one image, with the grid-dependent parts as tensor ops."""

    def __init__(self, visual: nn.Module):
        super().__init__()
        self.visual = visual
        self.merge = int(visual.spatial_merge_size)
        self.side = int(visual.num_grid_per_side)
        self.taps = list(visual.deepstack_visual_indexes)

    def _merge_order(self, grid: torch.Tensor, h: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """[h·w, ...] in raster order → the processor's 2×2 merge-block order."""
        m = self.merge
        c = grid.shape[-1]
        return (
            grid.reshape(torch.div(h, m, rounding_mode="floor"), m, torch.div(w, m, rounding_mode="floor"), m, c)
            .permute(0, 2, 1, 3, 4)
            .reshape(-1, c)
        )

    def pos_embeds(self, h: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """fast_pos_embed_interpolate for one (1, h, w) grid."""
        side = self.side
        hi = torch_linspace(side - 1, h)
        wi = torch_linspace(side - 1, w)
        hf = hi.to(torch.int64)  # .int() truncates; values are ≥ 0
        wf = wi.to(torch.int64)
        hc = (hf + 1).clamp(max=side - 1)
        wc = (wf + 1).clamp(max=side - 1)
        dh = (hi - hf.to(hi.dtype))[:, None]
        dw = (wi - wf.to(wi.dtype))[None, :]
        table = self.visual.pos_embed.weight
        idx = [
            hf[:, None] * side + wf[None, :],
            hf[:, None] * side + wc[None, :],
            hc[:, None] * side + wf[None, :],
            hc[:, None] * side + wc[None, :],
        ]
        wts = [(1 - dh) * (1 - dw), (1 - dh) * dw, dh * (1 - dw), dh * dw]
        # NOTE: Python rounds the weights through .tolist() and back to the table's dtype; in float32 that is exact.
        out = sum(table[i.reshape(-1)] * wt.reshape(-1, 1).to(table.dtype) for i, wt in zip(idx, wts))
        return self._merge_order(out.reshape(-1, table.shape[-1]), h, w)

    def rotary(self, h: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """rot_pos_emb for one grid: cat(row·inv_freq, col·inv_freq) per patch, in merge-block order."""
        inv = self.visual.rotary_pos_emb.inv_freq
        rows = torch.arange(h, dtype=torch.int64)[:, None].expand(-1, w).reshape(-1, 1)
        cols = torch.arange(w, dtype=torch.int64)[None, :].expand(h, -1).reshape(-1, 1)
        rc = self._merge_order(torch.cat((rows, cols), dim=1), h, w).to(inv.dtype)
        return torch.cat((rc[:, :1] * inv[None, :], rc[:, 1:] * inv[None, :]), dim=1)

    def attention(self, attn: nn.Module, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        q, k, v = attn.qkv(x).reshape(n, 3, attn.num_heads, -1).permute(1, 0, 2, 3).unbind(0)
        c, s = cos.unsqueeze(-2), sin.unsqueeze(-2)
        q = q * c + _rotate_half(q) * s
        k = k * c + _rotate_half(k) * s
        q, k, v = (t.transpose(0, 1).unsqueeze(0) for t in (q, k, v))
        # One image: full attention over its patches (cu_seqlens = [0, n]).
        out = F.scaled_dot_product_attention(q, k, v, scale=attn.scaling)
        return attn.proj(out.squeeze(0).transpose(0, 1).reshape(n, -1))

    def forward(self, pixel_values: torch.Tensor, image_grid_thw: torch.Tensor):
        v = self.visual
        h = image_grid_thw[0, 1]
        w = image_grid_thw[0, 2]
        x = v.patch_embed(pixel_values)
        x = x + self.pos_embeds(h, w).to(x.dtype)
        rot = self.rotary(h, w)
        emb = torch.cat((rot, rot), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        levels = []
        for i, blk in enumerate(v.blocks):
            x = x + self.attention(blk.attn, blk.norm1(x), cos, sin)
            x = x + blk.mlp(blk.norm2(x))
            if i in self.taps:
                levels.append(v.deepstack_merger_list[self.taps.index(i)](x))
        return (v.merger(x), *levels)


class EmbedTokens(nn.Module):
    def __init__(self, text: nn.Module):
        super().__init__()
        self.embed = text.embed_tokens

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.embed(input_ids)


class Decoder(nn.Module):
    """Qwen3VLTextModel + lm_head with an explicit KV cache and DeepStack as plain additions after layers 0..k−1.

    DeepStack input k is zero except at image-pad rows, so adding it everywhere equals `_deepstack_process` with the
    image mask; at decode steps DocLens feeds zeros.
    """

    def __init__(self, text: nn.Module, lm_head: nn.Module, levels: int):
        super().__init__()
        self.text = text
        self.lm_head = lm_head
        self.levels = levels
        self.layers = len(text.layers)

    def forward(self, inputs_embeds, attention_mask, position_ids, *rest):
        past = rest[: 2 * self.layers]
        deep = rest[2 * self.layers :]
        x = inputs_embeds
        b, s, _ = x.shape
        cos, sin = self.text.rotary_emb(x, position_ids)  # interleaved M-RoPE, [b, s, head_dim]
        p = past[0].shape[2]
        total = p + s
        # Additive mask [b, 1, s, total]: key j visible to query i iff j ≤ p + i and attention_mask[b, j] = 1.
        qpos = torch.arange(s)[:, None] + p
        kpos = torch.arange(total)[None, :]
        allowed = (kpos <= qpos)[None, None] & (attention_mask[:, None, None, :] > 0)
        mask = torch.where(allowed, 0.0, torch.finfo(x.dtype).min).to(x.dtype)
        presents = []
        for i, layer in enumerate(self.text.layers):
            a = layer.self_attn
            h = layer.input_layernorm(x)
            shape = (b, s, -1, a.head_dim)
            q = a.q_norm(a.q_proj(h).view(shape)).transpose(1, 2)
            k = a.k_norm(a.k_proj(h).view(shape)).transpose(1, 2)
            v = a.v_proj(h).view(shape).transpose(1, 2)
            c, sn = cos.unsqueeze(1), sin.unsqueeze(1)
            q = q * c + _rotate_half(q) * sn
            k = k * c + _rotate_half(k) * sn
            k = torch.cat((past[2 * i], k), dim=2)
            v = torch.cat((past[2 * i + 1], v), dim=2)
            presents += [k, v]
            rep = a.num_key_value_groups
            kk = k.repeat_interleave(rep, dim=1)
            vv = v.repeat_interleave(rep, dim=1)
            out = F.scaled_dot_product_attention(q, kk, vv, attn_mask=mask, scale=a.scaling)
            x = x + a.o_proj(out.transpose(1, 2).reshape(b, s, -1))
            x = x + layer.mlp(layer.post_attention_layernorm(x))
            if i < self.levels:
                x = x + deep[i]
        logits = self.lm_head(self.text.norm(x))
        return (logits, *presents)


def _export(module: nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str], axes: dict) -> None:
    """torch.onnx.export to a temp file, then saved as `path` (+ `path`_data when over 2 GB)."""
    import onnx

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "graph.onnx"
        with torch.no_grad():
            torch.onnx.export(
                module,
                args,
                str(raw),
                input_names=inputs,
                output_names=outputs,
                dynamic_axes=axes,
                opset_version=OPSET,
                do_constant_folding=True,
                dynamo=False,
            )
        model = onnx.load(str(raw), load_external_data=True)
        big = sum(t.ByteSize() for t in model.graph.initializer) > 1_800_000_000
        path.parent.mkdir(parents=True, exist_ok=True)
        onnx.save_model(
            model,
            str(path),
            save_as_external_data=big,
            all_tensors_to_one_file=True,
            location=f"{path.name}_data",
            size_threshold=1024,
        )


def export_graphs(model: nn.Module, out: Path) -> dict:
    """Writes the three graphs for `model` (a Qwen3VLForConditionalGeneration in float32, eval mode) into out/onnx."""
    model = model.float().eval()
    visual, text, lm_head = _parts(model)
    cfg = model.config
    tc = cfg.text_config
    vc = cfg.vision_config
    levels = len(vc.deepstack_visual_indexes)
    hidden = tc.hidden_size
    patch_row = 3 * vc.temporal_patch_size * vc.patch_size**2
    onnx_dir = out / "onnx"

    # Vision: a 4×6 patch grid as the example (any even h, w works at run time).
    gh, gw = 4, 6
    px = torch.randn(gh * gw, patch_row)
    grid = torch.tensor([[1, gh, gw]], dtype=torch.int64)
    deep_out = [f"deepstack_features.{k}" for k in range(levels)]
    _export(
        VisionEncoder(visual),
        (px, grid),
        onnx_dir / "vision_encoder.onnx",
        ["pixel_values", "image_grid_thw"],
        ["image_features", *deep_out],
        {"pixel_values": {0: "num_patches"}, **{n: {0: "num_image_tokens"} for n in ["image_features", *deep_out]}},
    )

    ids = torch.tensor([[151644, 872, 198]], dtype=torch.int64)
    _export(
        EmbedTokens(text),
        (ids,),
        onnx_dir / "embed_tokens.onnx",
        ["input_ids"],
        ["inputs_embeds"],
        {"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}},
    )

    layers = tc.num_hidden_layers
    kv = tc.num_key_value_heads
    hd = getattr(tc, "head_dim", None) or hidden // tc.num_attention_heads
    s, p = 3, 2
    past = []
    past_names = []
    present_names = []
    for i in range(layers):
        past += [torch.randn(1, kv, p, hd), torch.randn(1, kv, p, hd)]
        past_names += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        present_names += [f"present.{i}.key", f"present.{i}.value"]
    deep_in = [f"deepstack_embeds.{k}" for k in range(levels)]
    args = (
        torch.randn(1, s, hidden),
        torch.ones(1, p + s, dtype=torch.int64),
        torch.arange(p, p + s, dtype=torch.int64).view(1, 1, s).expand(3, 1, s).contiguous(),
        *past,
        *[torch.zeros(1, s, hidden) for _ in range(levels)],
    )
    axes = {
        "inputs_embeds": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {1: "batch_size", 2: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
        **{n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names},
        **{n: {0: "batch_size", 2: "total_sequence_length"} for n in present_names},
        **{n: {0: "batch_size", 1: "sequence_length"} for n in deep_in},
    }
    _export(
        Decoder(text, lm_head, levels),
        args,
        onnx_dir / "decoder_model_merged.onnx",
        ["inputs_embeds", "attention_mask", "position_ids", *past_names, *deep_in],
        ["logits", *present_names],
        axes,
    )
    external = {
        f"{g}.onnx": 1 for g in ("vision_encoder", "embed_tokens", "decoder_model_merged") if (onnx_dir / f"{g}.onnx_data").exists()
    }
    return external


def write_files(src: str, out: Path, model: nn.Module, external: dict, tokenizer_from: str | None) -> None:
    """config.json (+ transformers.js_config), generation and preprocessor configs with every key, tokenizer, template."""
    cfg = model.config.to_dict()
    if external:
        cfg["transformers.js_config"] = {"use_external_data_format": external}
    cfg["doclens_export"] = {"deepstack": True, "script": "models/export/export_qwen3_vl.py"}
    (out / "config.json").write_text(json.dumps(cfg, indent=2))
    gen = getattr(model, "generation_config", None)
    if gen is not None:
        (out / "generation_config.json").write_text(gen.to_json_string())

    from transformers import AutoProcessor

    proc = AutoProcessor.from_pretrained(tokenizer_from or src)
    ip = proc.image_processor.to_dict()
    size = ip.get("size") or {}
    # Every key written: transformers.js does not apply the Python class defaults (normalise, bicubic).
    pre = {
        "image_processor_type": "Qwen2VLImageProcessor",
        "processor_class": "Qwen3VLProcessor",
        "do_convert_rgb": True,
        "do_resize": True,
        "do_rescale": True,
        "do_normalize": True,
        "rescale_factor": ip.get("rescale_factor", 1 / 255),
        "image_mean": ip.get("image_mean", [0.5, 0.5, 0.5]),
        "image_std": ip.get("image_std", [0.5, 0.5, 0.5]),
        "resample": 3,
        "patch_size": ip.get("patch_size", 16),
        "merge_size": ip.get("merge_size", 2),
        "temporal_patch_size": ip.get("temporal_patch_size", 2),
        "min_pixels": ip.get("min_pixels") or size.get("shortest_edge", 65536),
        "max_pixels": ip.get("max_pixels") or size.get("longest_edge", 16777216),
    }
    pre["size"] = {"shortest_edge": pre["min_pixels"], "longest_edge": pre["max_pixels"]}
    (out / "preprocessor_config.json").write_text(json.dumps(pre, indent=2))
    with tempfile.TemporaryDirectory() as tmp:
        proc.tokenizer.save_pretrained(tmp)
        for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"):
            if (Path(tmp) / name).exists():
                shutil.copy(Path(tmp) / name, out / name)
    template = getattr(proc, "chat_template", None) or getattr(proc.tokenizer, "chat_template", None)
    if template:
        (out / "chat_template.json").write_text(json.dumps({"chat_template": template}))
        tc_path = out / "tokenizer_config.json"
        tcfg = json.loads(tc_path.read_text())
        tcfg["chat_template"] = template  # transformers.js reads it only here
        tc_path.write_text(json.dumps(tcfg, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="Hugging Face id or local folder of a Qwen3-VL checkpoint")
    ap.add_argument("--out", required=True, help="folder to write (created)")
    ap.add_argument("--tokenizer-from", help="folder or id to take the processor/tokenizer from (default: --model)")
    a = ap.parse_args()
    from transformers import Qwen3VLForConditionalGeneration

    out = Path(os.path.expanduser(a.out))
    out.mkdir(parents=True, exist_ok=True)
    model = Qwen3VLForConditionalGeneration.from_pretrained(a.model, torch_dtype=torch.float32, attn_implementation="eager")
    external = export_graphs(model, out)
    write_files(a.model, out, model, external, a.tokenizer_from)
    print(f"wrote {out} (fp32, DeepStack levels: {len(model.config.vision_config.deepstack_visual_indexes)})")


if __name__ == "__main__":
    main()
