"""Demo data for the marketplace: see ``market.demo.generate``."""
