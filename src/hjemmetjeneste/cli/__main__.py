"""`python -m hjemmetjeneste.cli` runs the command line."""

from hjemmetjeneste.cli import main

main()
