"""`seedling view`: a local app over curate's outputs (reads its files; imports only the core)."""
