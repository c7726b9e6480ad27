"""The MT cache is keyed on the model's full content: one changed byte anywhere is a new key."""

import os

import pytest

import pipeline.mt.models as models
from pipeline.errors import PipelineError
from pipeline.mt.hf import model_revision
from pipeline.mt.models import weights_hash
from pipeline.offline import stay_offline

BIG = 60 * 1024 * 1024  # past the old 50 MiB limit, where only the first and last MiB were hashed


def model_folder(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"d_model": 8}')
    with open(folder / "model.safetensors", "wb") as handle:
        handle.write(b"\0" * BIG)
    return folder


def flip_byte(path, offset):
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\1")


def test_a_byte_changed_in_the_middle_of_big_weights_changes_the_hash(tmp_path):
    folder = model_folder(tmp_path)
    before = weights_hash(folder)
    flip_byte(folder / "model.safetensors", BIG // 2)
    assert weights_hash(folder) != before


def test_each_file_is_hashed_once_until_it_changes(tmp_path, monkeypatch):
    folder = model_folder(tmp_path)
    first = weights_hash(folder)
    hashed = []
    real = models.sha256_file
    monkeypatch.setattr(models, "sha256_file", lambda path: hashed.append(path.name) or real(path))
    assert weights_hash(folder) == first and hashed == []
    (folder / "config.json").write_text('{"d_model": 16}')
    assert weights_hash(folder) != first and hashed == ["config.json"]


def test_a_read_only_model_folder_is_still_hashed(tmp_path):
    folder = model_folder(tmp_path)
    expected = weights_hash(folder)
    (folder / models.HASH_MEMO).unlink()
    os.chmod(folder, 0o555)
    try:
        assert weights_hash(folder) == expected
    finally:
        os.chmod(folder, 0o755)


class Config:
    pass


def test_a_hub_model_without_a_commit_hash_gets_no_placeholder_revision():
    stay_offline()
    with pytest.raises(PipelineError, match="cannot tell which revision"):
        model_revision("pipeline-tests/no-such-model", "pipeline-tests/no-such-model", False, Config())
