"""Turning results into text: problems, authorization decisions, the rules page."""
