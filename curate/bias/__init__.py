"""Bias audit from the HolisticBias lexicon (CC BY-SA 4.0, data/holistic_bias): who is
mentioned, how often and with what words and sentiment, counted in independent examples
(units.py) and each figure with an interval (audit.py); counterfactual copies that swap gender
(counterfactual.py); and steering that asks for variants of quoted rows where a finding's
interval excludes a target the user gave (steering.py)."""
