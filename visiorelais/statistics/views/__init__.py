"""The statistics screens: the framework in base.py, the pages in registry.py, the generic page and export views
in pages.py, and the few views of one page (the call-level CSV, the steering report) in network.py and
steering.py."""
