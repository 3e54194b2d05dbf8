"""Bias audit from the HolisticBias lexicon (CC BY-SA 4.0, data/holistic_bias): who is
mentioned, how often, with which pronouns and occupations; and what to generate more of."""
