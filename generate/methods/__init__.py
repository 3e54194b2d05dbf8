"""Synthesis methods; a new method is one small module plus one line in METHODS."""

from __future__ import annotations

from generate.methods.evol_instruct import EvolInstruct
from generate.methods.magpie import Magpie
from generate.methods.persona import Persona
from generate.methods.self_instruct import SelfInstruct

METHODS = {SelfInstruct.name: SelfInstruct, EvolInstruct.name: EvolInstruct, Magpie.name: Magpie,
           Persona.name: Persona}
