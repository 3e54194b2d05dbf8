"""Tune stage: a LoRA student trained with PEFT through TRL, evaluated before and after."""
