import subprocess
import sys
from pathlib import Path

import pytest
import torch

from seedling import device
from seedling.device import DtypeChoice, choose_dtype, cpu_capability
from seedling.errors import SeedlingError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cpu_only(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)

    def set_cpu(capability="AVX2", avx512_bf16=False, amx=False):
        probe = {"capability": capability, "avx512_bf16": avx512_bf16, "amx": amx}
        monkeypatch.setattr(device, "cpu_capability", lambda: probe)

    return set_cpu


def test_cpu_capability_reports_this_machine():
    cap = cpu_capability()
    assert cap["capability"] == torch.backends.cpu.get_cpu_capability()
    assert isinstance(cap["avx512_bf16"], bool) and isinstance(cap["amx"], bool)


def test_cpu_capability_survives_missing_private_probes(monkeypatch):
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported", raising=False)
    monkeypatch.delattr(torch.cpu, "_is_avx512_bf16_supported", raising=False)
    cap = cpu_capability()
    assert cap["amx"] is False and cap["avx512_bf16"] is False


def test_avx2_only_cpu_gets_float32(cpu_only):
    cpu_only("AVX2")
    choice = choose_dtype()
    assert (choice.name, choice.device) == ("float32", "cpu")
    assert "AVX2" in choice.reason and "10x" in choice.reason
    assert choice.torch_dtype is torch.float32


@pytest.mark.parametrize("amx, avx512_bf16", [(True, True), (True, False), (False, True)])
def test_native_bf16_cpu_gets_bfloat16(cpu_only, amx, avx512_bf16):
    cpu_only("AVX512", avx512_bf16=avx512_bf16, amx=amx)
    choice = choose_dtype("auto")
    assert choice == DtypeChoice("bfloat16", "cpu", choice.reason)
    assert ("AMX" if amx else "AVX512-BF16") in choice.reason


def test_avx512_without_bf16_gets_float32(cpu_only):
    cpu_only("AVX512")
    assert choose_dtype().name == "float32"


@pytest.mark.parametrize("bf16, expected", [(True, "bfloat16"), (False, "float16")])
def test_cuda_auto(monkeypatch, bf16, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
    choice = choose_dtype()
    assert (choice.name, choice.device) == (expected, "cuda")


@pytest.mark.parametrize(
    "requested, expected",
    [("float32", "float32"), ("fp32", "float32"), ("bfloat16", "bfloat16"), ("BF16", "bfloat16"),
     ("float16", "float16"), ("fp16", "float16")],
)
def test_explicit_names_are_honoured(cpu_only, requested, expected):
    cpu_only("AVX2")  # bf16 asked for on an AVX2 CPU is still honoured
    choice = choose_dtype(requested)
    assert (choice.name, choice.reason) == (expected, "requested")
    assert choice.torch_dtype is getattr(torch, expected)


def test_bad_name_lists_valid_ones():
    with pytest.raises(SeedlingError) as err:
        choose_dtype("int8")
    message = str(err.value)
    assert "int8" in message
    assert all(name in message for name in ("auto", "float32", "bfloat16", "float16", "bf16"))


def test_choice_is_frozen():
    choice = DtypeChoice("float32", "cpu", "requested")
    with pytest.raises(AttributeError):
        choice.name = "bfloat16"


def test_import_is_cheap():
    code = "import sys, seedling.device, seedling.models; print(sorted({'torch', 'transformers'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "[]"


def test_idle_threads_sleep_unless_the_user_chose(monkeypatch):
    import os

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    device.yield_idle_threads()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    device.yield_idle_threads()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


def test_the_command_sets_the_policy_before_torch_loads():
    code = ("import os, sys; os.environ.pop('OMP_WAIT_POLICY', None); from seedling import cli; "
            "sys.argv = ['seedling', '--help']\ntry: cli.main()\nexcept SystemExit: pass\n"
            "print(os.environ.get('OMP_WAIT_POLICY'), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip().splitlines()[-1] == "PASSIVE False"
