"""`accelerate launch` runs the same tune code on several processes (DDP, gloo on CPU): with
the same global batch, two processes follow the one-process loss curve. On a machine with a GPU
too it runs on the CPU: two processes cannot share one GPU under DDP."""

import json
import os
import socket
import subprocess
import sys

import pytest

from seedling import Record, save
from tune.options import TuneOptions
from tune.run import run_tune

STEPS = 5
GLOBAL_BATCH = 8
SETTINGS = dict(max_steps=STEPS, learning_rate=3e-2, max_length=64, lora_r=8, lora_dropout=0.0, warmup_ratio=0,
                dtype="float32", checks="off", samples=0, eval_fraction=0.2, save_steps=100)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def losses(run):
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_two_processes_follow_the_one_process_loss_curve(tiny_model_dir, tmp_path, on_cpu):
    data, cfg = tmp_path / "data.jsonl", tmp_path / "c.yaml"
    save([Record(f"Code word {i}?", f"The code word is apple{i}.") for i in range(60)], data)
    cfg.write_text("tune:\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in SETTINGS.items()))

    one = tmp_path / "one"
    run_tune(data, one, TuneOptions(student=str(tiny_model_dir), batch_size=GLOBAL_BATCH, **SETTINGS))

    two = tmp_path / "two"
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
           "--num_cpu_threads_per_process", "1", "--main_process_port", str(free_port()),
           "-m", "seedling", "tune", str(data), "--out", str(two), "--student", str(tiny_model_dir),
           "--batch-size", str(GLOBAL_BATCH // 2), "--config", str(cfg)]
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Held-out NLL" in done.stdout and done.stdout.count("adapter: ") == 1  # one process reports

    a, b = losses(one), losses(two)
    assert [m["step"] for m in a] == [m["step"] for m in b] == list(range(1, STEPS + 1))  # one log, not two
    assert a[0]["tokens"] == b[0]["tokens"]  # the same rows in each global batch
    assert [m["loss"] for m in b] == pytest.approx([m["loss"] for m in a], rel=2e-3)
    assert a[-1]["loss"] < a[0]["loss"] - 0.1  # a curve, not a flat line
    ev = json.loads((two / "eval.json").read_text())
    assert ev["train"]["steps"] == STEPS and (two / "adapter" / "adapter_model.safetensors").is_file()
