"""Builds a tiny, random-weight argostranslate package (.argosmodel) on this machine, offline.

Real packages cannot be downloaded here, so the tests make one: a SentencePiece model trained on a few
sentences, a Marian model with random weights (transformers), converted with CTranslate2, zipped the way the
argos index ships them. Its translations are nonsense; what it proves is that the real install, load and
translate code runs end to end without the network. Marian puts <pad> at the last vocabulary id.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

CORPUS = [
    "mój mąż mnie bije",
    "on jest pod drzwiami",
    "czy zgłoszenie na policję jest bezpieczne",
    "potrzebuję pomocy",
    "szef zabrał mój paszport",
    "my husband beats me",
    "he is outside the door",
    "is it safe to report to the police",
    "i need help",
    "my boss took my passport",
] * 20


def build_tiny_argosmodel(out_dir: Path, from_code: str = "pl", to_code: str = "en") -> Path:
    import ctranslate2
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel

    work = out_dir / f"build-{from_code}-{to_code}"
    shutil.rmtree(work, ignore_errors=True)
    hf_dir = work / "hf"
    hf_dir.mkdir(parents=True)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS),
        model_prefix=str(work / "sp"),
        vocab_size=48,
        model_type="unigram",
        character_coverage=1.0,
        unk_id=1,
        eos_id=0,
        bos_id=-1,
        pad_id=-1,
        minloglevel=2,
    )
    processor = spm.SentencePieceProcessor(model_file=str(work / "sp.model"))
    vocab = {processor.id_to_piece(i): i for i in range(processor.get_piece_size())}
    vocab["<pad>"] = len(vocab)  # Marian: padding is the last id
    (hf_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    for name in ("source.spm", "target.spm"):
        shutil.copy(work / "sp.model", hf_dir / name)
    (hf_dir / "tokenizer_config.json").write_text(
        json.dumps({"source_lang": from_code, "target_lang": to_code, "model_max_length": 64})
    )

    torch.manual_seed(0)
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=64,
        pad_token_id=len(vocab) - 1,
        eos_token_id=0,
        decoder_start_token_id=len(vocab) - 1,
        forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
    )
    MarianMTModel(config).save_pretrained(hf_dir)

    package = work / f"translate-{from_code}_{to_code}-1_0"
    ctranslate2.converters.TransformersConverter(str(hf_dir)).convert(str(package / "model"), force=True)
    shutil.copy(work / "sp.model", package / "sentencepiece.model")
    metadata = {
        "package_version": "1.0",
        "argos_version": "1.11",
        "from_code": from_code,
        "from_name": from_code,
        "to_code": to_code,
        "to_name": to_code,
        "type": "translate",
    }
    (package / "metadata.json").write_text(json.dumps(metadata))
    (package / "README.md").write_text("Tiny random-weight test package: its translations are meaningless.\n")

    archive = out_dir / f"translate-{from_code}_{to_code}-1_0.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(package.rglob("*")):
            zipped.write(path, path.relative_to(work))
    shutil.rmtree(work)
    return archive
