"""``python -m classifieds``: the command line."""

from classifieds.cli import main

main()
