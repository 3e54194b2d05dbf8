"""Generate stage: a teacher LLM grows seed tasks into instruction-output pairs."""
