"""`python -m cuecraft` runs the command line."""

from cuecraft.cli import main

main()
