"""The demo network: the Manche's reference network (data.py) and the service that loads it (loader.py)."""

from visiorelais.network.demo.loader import DemoAccount, DemoSummary, demo_data_load

__all__ = ["DemoAccount", "DemoSummary", "demo_data_load"]
