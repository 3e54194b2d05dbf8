from seedling.cli import main

main()
