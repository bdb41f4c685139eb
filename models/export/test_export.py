"""Checks models/export/export_qwen3_vl.py on a random-initialised tiny Qwen3-VL built from a config: the exported
graphs (onnxruntime) and the DocLens engine (node) give PyTorch's logits on the same inputs, |Δ| ≤ 1e-3 in fp32,
with DeepStack wired. Needs torch, transformers ≥ 4.57, onnx, onnxruntime, pillow, numpy and the repo's node.

Run from the repo root:  python -m pytest models/export/test_export.py -q
NOT RUN when written (no PyTorch machine was available); see docs/families.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
ort = pytest.importorskip("onnxruntime")
np = pytest.importorskip("numpy")
Image = pytest.importorskip("PIL.Image")

sys.path.insert(0, str(Path(__file__).parent))
from export_qwen3_vl import export_graphs, write_files  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NODE = [str(ROOT / "node_modules" / ".bin" / "tsx")]
TOL = 1e-3
QUESTION = "Describe this image."


def tiny_config():
    from transformers import Qwen3VLConfig

    rope = {"rope_type": "default", "mrope_section": [4, 2, 2], "mrope_interleaved": True, "rope_theta": 5_000_000}
    return Qwen3VLConfig(
        text_config={
            "vocab_size": 151936,
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 3,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "head_dim": 16,
            "rms_norm_eps": 1e-6,
            "rope_theta": 5_000_000,
            # transformers 4.57 reads rope_scaling, ≥ 5 reads rope_parameters: both are given.
            "rope_scaling": rope,
            "rope_parameters": rope,
            "max_position_embeddings": 32768,
            "attention_bias": False,
            "tie_word_embeddings": True,
        },
        vision_config={
            "depth": 3,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "out_hidden_size": 64,
            "patch_size": 16,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            "in_channels": 3,
            "num_position_embeddings": 16,
            "deepstack_visual_indexes": [0, 1, 2],
            "hidden_act": "gelu_pytorch_tanh",
        },
        image_token_id=151655,
        video_token_id=151656,
        vision_start_token_id=151652,
        vision_end_token_id=151653,
        tie_word_embeddings=True,
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from transformers import Qwen3VLForConditionalGeneration

    tmp = tmp_path_factory.mktemp("qwen3-export")
    # Tokenizer, template and processor files: the repo's generated tiny Qwen3-VL (same Qwen BPE and template).
    tok = tmp / "tok"
    subprocess.run(
        ["npm", "run", "-s", "make:tiny-model", "--", "--family", "qwen3-vl", "--out", str(tok)], cwd=ROOT, check=True
    )
    torch.manual_seed(0)
    model = Qwen3VLForConditionalGeneration(tiny_config()).eval()
    # Random init leaves some weights at exactly 0/1 (norms); perturb them so every path carries signal.
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    out = tmp / "model"
    external = export_graphs(model, out)
    write_files(str(tok), out, model, external, str(tok))
    # The generated processor limits (4,096 – 65,536 px) keep the test image unresized.
    return model, out


def card(w: int, h: int) -> "Image.Image":
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([(x * 5) % 256, (y * 7 + 11) % 256, ((x ^ y) * 3 + 90) % 256], axis=-1).astype(np.uint8)
    return Image.fromarray(rgb, "RGB")


def torch_inputs(folder: Path, img):
    from transformers import AutoProcessor

    proc = AutoProcessor.from_pretrained(str(folder))
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": QUESTION}]}]
    prompt = proc.apply_chat_template(messages, add_generation_prompt=True)
    return proc(text=[prompt], images=[img], return_tensors="pt")


def test_graphs_declare_deepstack(exported):
    _, out = exported
    vision = ort.InferenceSession(str(out / "onnx" / "vision_encoder.onnx"))
    decoder = ort.InferenceSession(str(out / "onnx" / "decoder_model_merged.onnx"))
    assert [o.name for o in vision.get_outputs()] == ["image_features"] + [f"deepstack_features.{k}" for k in range(3)]
    names = [i.name for i in decoder.get_inputs()]
    assert names[-3:] == [f"deepstack_embeds.{k}" for k in range(3)]


def test_vision_graph_matches_pytorch_at_two_sizes(exported):
    model, out = exported
    vision = ort.InferenceSession(str(out / "onnx" / "vision_encoder.onnx"))
    visual = model.model.visual
    for gh, gw in [(6, 8), (10, 4)]:  # other sizes than the export's example grid
        px = torch.randn(gh * gw, 1536)
        grid = torch.tensor([[1, gh, gw]])
        with torch.no_grad():
            feats, levels = visual(px, grid_thw=grid)
        got = vision.run(None, {"pixel_values": px.numpy(), "image_grid_thw": grid.numpy()})
        assert np.abs(got[0] - feats.numpy()).max() <= TOL
        for k, level in enumerate(levels):
            assert np.abs(got[1 + k] - level.numpy()).max() <= TOL, f"DeepStack level {k}"


def test_engine_logits_match_pytorch(exported, tmp_path):
    model, out = exported
    img = card(128, 96)  # multiples of 32 within the limits: no resize on either side
    path = tmp_path / "card.png"
    img.save(path)
    inputs = torch_inputs(out, img)
    with torch.no_grad():
        want = model(**inputs).logits[0, -1].numpy()
    run = subprocess.run(
        [*NODE, "models/export/engine-logits.ts", str(out), str(path), QUESTION],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["deepstackLevels"] == 3 and got["quality"] is None
    assert got["promptTokens"] == inputs["input_ids"].shape[1]
    assert got["resized"] == {"width": 128, "height": 96}
    diff = np.abs(np.asarray(got["logits"], dtype=np.float32) - want).max()
    assert diff <= TOL, f"max |Δ logits| = {diff}"
