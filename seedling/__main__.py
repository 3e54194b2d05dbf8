from seedling.cli import main

# Guarded: engines such as vLLM start worker processes with `spawn`, which re-imports this module.
if __name__ == "__main__":
    main()
