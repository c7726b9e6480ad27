"""Random-weight MarianMT models with a real MarianTokenizer, for tests and benchmarks.

No pretrained Arabic→English weights can be downloaded where this project is built, so the MT code is
proven on models built here: SentencePiece models trained on real Arabic and English text, a joint
``vocab.json`` exactly as OPUS-MT ships it, and a MarianMT model with random weights, saved with
``save_pretrained`` so that the backends load it through the same ``from_pretrained`` path as a real
model. The output is gibberish by design; the point is that every step around the model is real.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class MarianShape:
    """The architecture knobs of a MarianMT model."""

    vocab_size: int
    layers: int = 6
    d_model: int = 512
    heads: int = 8
    ffn: int = 2048
    max_positions: int = 512
    init_std: float = 0.02  # larger in tiny models, so that the output depends on the input


# Helsinki-NLP/opus-mt-ar-en's config.json: 6+6 layers, d_model 512, 8 heads, FFN 2048, swish,
# static sinusoidal positions, shared embeddings, vocabulary of 62,834 pieces (<pad> last).
OPUS_MT_AR_EN = MarianShape(vocab_size=62834)
TINY = MarianShape(
    vocab_size=0, layers=2, d_model=32, heads=2, ffn=64, max_positions=128, init_std=0.5
)  # 0: the vocab's size


def train_sentencepiece(lines: list[str], model_prefix: Path, vocab_size: int) -> Path:
    """Train a unigram SentencePiece model on ``lines``; returns the ``.model`` path. ``hard_vocab_limit``
    is off so a small text gives the largest vocabulary it supports up to ``vocab_size``."""
    import sentencepiece as spm

    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(line for line in lines if line.strip()) + "\n")
        text_path = handle.name
    try:
        # One thread: the same text gives the same model, byte for byte.
        spm.SentencePieceTrainer.train(
            input=text_path,
            model_prefix=str(model_prefix),
            vocab_size=vocab_size,
            model_type="unigram",
            character_coverage=1.0,
            hard_vocab_limit=False,
            num_threads=1,
            bos_id=-1,
            eos_id=1,
            unk_id=2,
            pad_id=-1,
            minloglevel=2,
        )
    finally:
        Path(text_path).unlink()
    return Path(f"{model_prefix}.model")


def joint_vocab(source_spm: Path, target_spm: Path, size: int | None = None) -> dict[str, int]:
    """OPUS-MT's joint vocabulary: ``</s>`` = 0, ``<unk>`` = 1, then the pieces of both SentencePiece
    models; padded with unused pieces up to ``size`` when given; ``<pad>`` always last."""
    import sentencepiece as spm

    vocab = {"</s>": 0, "<unk>": 1}
    for path in (source_spm, target_spm):
        model = spm.SentencePieceProcessor(model_file=str(path))
        for i in range(model.get_piece_size()):
            piece = model.id_to_piece(i)
            if piece not in vocab and not model.is_control(i) and not model.is_unknown(i):
                vocab[piece] = len(vocab)
    if size is not None:
        if len(vocab) + 1 > size:
            raise ValueError(f"the SentencePiece models have {len(vocab) + 1} pieces, more than vocab size {size}")
        for n in range(size - 1 - len(vocab)):
            vocab[f"<unused{n}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def build_random_marian(
    out_dir: Path, arabic: list[str], english: list[str], shape: MarianShape = TINY, spm_vocab: int = 400, seed: int = 0
) -> Path:
    """Write a loadable MarianMT model folder (config, random weights, source.spm, target.spm, vocab.json,
    tokenizer config) into ``out_dir``; returns it. Same inputs and seed, same files."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    from pipeline.progress import quiet_transformers

    quiet_transformers()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = train_sentencepiece(arabic, Path(tmp) / "source", spm_vocab)
        tgt = train_sentencepiece(english, Path(tmp) / "target", spm_vocab)
        vocab = joint_vocab(src, tgt, shape.vocab_size or None)
        (out_dir / "source.spm").write_bytes(src.read_bytes())
        (out_dir / "target.spm").write_bytes(tgt.read_bytes())
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0), encoding="utf-8")
    tokenizer = MarianTokenizer(
        str(out_dir / "source.spm"),
        str(out_dir / "target.spm"),
        str(out_dir / "vocab.json"),
        source_lang="ar",
        target_lang="en",
        model_max_length=shape.max_positions,
    )
    tokenizer.save_pretrained(str(out_dir))
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=shape.d_model,
        encoder_layers=shape.layers,
        decoder_layers=shape.layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn,
        decoder_ffn_dim=shape.ffn,
        max_position_embeddings=shape.max_positions,
        init_std=shape.init_std,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    model.generation_config.bad_words_ids = [[pad]]  # as OPUS-MT: never generate <pad>
    model.save_pretrained(str(out_dir))
    (out_dir / "random_model.json").write_text(
        json.dumps(
            {
                "note": "random weights, built for tests and benchmarks; translations are gibberish",
                "shape": asdict(shape),
                "spm_vocab": spm_vocab,
                "seed": seed,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    return out_dir
