#!/usr/bin/env python
"""Django's usual entry point; `visiorelais` (the installed command) does the same."""

from visiorelais.__main__ import main

if __name__ == "__main__":
    main()
