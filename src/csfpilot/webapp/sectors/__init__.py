"""Sector benchmarks: how an organization's scores compare with others of its sector."""
