"""The core's answer NLL: padding, kept-logit slicing and the shared prefix's cache change
nothing, only answer tokens are scored, and batches are grouped by length under a token budget."""

import pytest
import torch

from seedling.nll import MIN_PREFIX, answer_nll, batches, encode_pair, shared_prefix
from seedling.record import Record

ROWS = [Record("Hi.", "Yes."), Record("Translate the sentence into French, please: the cat sleeps on the mat.",
                                     "Le chat dort sur le tapis, tranquillement, toute la journée."),
        Record("What is the capital of Japan?", "Tokyo."), Record("Write a poem.", "The sea, the sky.\nThe wind.")]


def reference_nll(model, ids, n_prompt):
    device = next(model.parameters()).device
    labels = torch.tensor([[-100] * n_prompt + ids[n_prompt:]], device=device)
    with torch.no_grad():
        loss = model(input_ids=torch.tensor([ids], device=device), labels=labels).loss
    return float(loss) * (len(ids) - n_prompt)


def test_batched_padded_nll_equals_one_row_at_a_time(tiny_model_dir):
    from seedling.models import load_causal_lm

    model, tokenizer = load_causal_lm(str(tiny_model_dir), dtype="float32")
    pairs = [encode_pair(tokenizer, r, 128) for r in ROWS]
    assert len({len(ids) for ids, _ in pairs}) == len(pairs)  # padding really happens
    batched = answer_nll(model, pairs, batch_tokens=10_000)
    for (ids, n_prompt), (nll, tokens) in zip(pairs, batched):
        assert tokens == len(ids) - n_prompt
        assert nll == pytest.approx(reference_nll(model, ids, n_prompt), rel=1e-4)


SYSTEM = "You answer briefly and exactly, in the language of the question, and never refuse."


def test_rows_that_share_a_system_turn_score_as_one_row_at_a_time(tiny_model_dir):
    """Their shared tokens' keys and values come from one cached pass, with and without an adapter."""
    from peft import LoraConfig, get_peft_model

    from seedling.models import load_causal_lm

    model, tokenizer = load_causal_lm(str(tiny_model_dir), dtype="float32")
    rows = [Record(r.instruction, r.output, meta={"system": SYSTEM}) for r in ROWS]
    pairs = [encode_pair(tokenizer, r, 128) for r in rows]
    assert shared_prefix(pairs) >= MIN_PREFIX
    student = get_peft_model(model, LoraConfig(r=4, target_modules="all-linear", task_type="CAUSAL_LM",
                                               init_lora_weights=False)).eval()
    with student.disable_adapter():
        base = answer_nll(student, pairs, batch_tokens=10_000)
    tuned = answer_nll(student, pairs, batch_tokens=10_000)
    for (ids, n_prompt), (b, _), (s, _) in zip(pairs, base, tuned):
        assert s == pytest.approx(reference_nll(student, ids, n_prompt), rel=1e-4)
        with student.disable_adapter():
            assert b == pytest.approx(reference_nll(student, ids, n_prompt), rel=1e-4)
        assert abs(s - b) > 1e-3  # the adapter really changes the scores


def test_the_shared_prefix_stops_before_the_first_scored_position():
    assert shared_prefix([([1, 2, 3, 4, 5], 4), ([1, 2, 3, 9, 9], 4)]) == 3
    assert shared_prefix([([1, 2, 3, 4, 5], 3), ([1, 2, 3, 4, 6], 4)]) == 2  # position 2 predicts token 4
    assert shared_prefix([([7, 2], 1), ([1, 2], 1)]) == 0
    assert shared_prefix([]) == 0


def test_a_pair_without_answer_tokens_scores_nothing(tiny_model_dir):
    from seedling.models import load_causal_lm

    model, tokenizer = load_causal_lm(str(tiny_model_dir), dtype="float32")
    ids, _ = encode_pair(tokenizer, ROWS[0], 128)
    assert answer_nll(model, [(ids, len(ids)), (ids, len(ids) - 2)])[0] == (0.0, 0)


def test_batches_sort_by_length_and_respect_the_token_budget():
    pairs = [([0] * n, 1) for n in (50, 10, 30, 10, 40, 20)]
    groups = batches(pairs, batch_tokens=60)
    flat = [i for g in groups for i in g]
    assert sorted(flat) == list(range(6))
    assert [len(pairs[i][0]) for i in flat] == sorted(len(p[0]) for p in pairs)
    assert all(len(g) * max(len(pairs[i][0]) for i in g) <= 60 or len(g) == 1 for g in groups)


def test_a_model_that_transforms_its_logits_is_scored_through_its_own_forward(tiny_model_dir):
    from seedling.models import load_causal_lm

    model, tokenizer = load_causal_lm(str(tiny_model_dir), dtype="float32")
    pairs = [encode_pair(tokenizer, r, 128) for r in ROWS]
    direct = answer_nll(model, pairs)
    model.config.final_logit_softcapping = 30.0  # Llama ignores it; the scorer must not project by itself
    for (nll, _), (ids, n_prompt) in zip(answer_nll(model, pairs), pairs):
        assert nll == pytest.approx(reference_nll(model, ids, n_prompt), rel=1e-4)
    assert [round(n, 3) for n, _ in direct] == [round(n, 3) for n, _ in answer_nll(model, pairs)]


def test_a_bf16_model_is_scored_with_a_float32_residual_stream(tiny_model_dir):
    """On the 135M model all-bf16 scoring lay up to 0.047 per token from float32 and float32 sums
    0.021; a two-layer toy is too small to show that, so this checks what the layers receive."""
    from seedling.models import load_causal_lm

    model, tokenizer = load_causal_lm(str(tiny_model_dir), dtype="float32")
    pairs = [encode_pair(tokenizer, r, 128) for r in ROWS]
    exact = [n / k for n, k in answer_nll(model, pairs)]
    model.to(torch.bfloat16)
    seen = []
    layer = model.model.layers[-1]
    hook = layer.register_forward_pre_hook(lambda module, args, kwargs: seen.append(kwargs.get(
        "hidden_states", args[0] if args else None).dtype), with_kwargs=True)
    scored = [n / k for n, k in answer_nll(model, pairs)]
    hook.remove()
    assert seen and set(seen) == {torch.float32}
    assert max(abs(a - b) for a, b in zip(scored, exact)) < 0.01
    assert model.get_input_embeddings()(torch.tensor([1], device=model.device)).dtype == torch.bfloat16  # the widening is undone


def test_a_bf16_model_on_a_cpu_scores_as_float32_and_gets_its_dtypes_back(tiny_model_dir, on_cpu):
    """bf16 matrix products kept the 135M model's NLL up to 0.021 per token from float32's: on a
    CPU the weights are widened while scoring (exact) and narrowed back after."""
    from peft import LoraConfig, get_peft_model

    from seedling.models import load_causal_lm
    from seedling.nll import scoring_dtype, scoring_weights

    model, tokenizer = load_causal_lm(str(tiny_model_dir), dtype="float32")
    model.to(torch.bfloat16)  # bf16 values, so float32 loses nothing and the two must agree
    pairs = [encode_pair(tokenizer, r, 128) for r in ROWS]
    exact = [n / k for n, k in answer_nll(model.float(), pairs)]
    student = get_peft_model(model.to(torch.bfloat16), LoraConfig(r=4, target_modules="all-linear",
                                                                   task_type="CAUSAL_LM"))
    before = {name: p.dtype for name, p in student.named_parameters()}
    assert torch.float32 in before.values() and torch.bfloat16 in before.values()  # PEFT's float32 adapter
    assert scoring_dtype(student) == "float32"
    low = [n / k for n, k in answer_nll(student, pairs)]
    with scoring_weights(student):
        scored = [n / k for n, k in answer_nll(student, pairs)]
    assert scored == pytest.approx(exact, abs=1e-6)
    assert max(abs(a - b) for a, b in zip(low, exact)) > 1e-6  # bf16 scoring really differs
    assert {name: p.dtype for name, p in student.named_parameters()} == before
