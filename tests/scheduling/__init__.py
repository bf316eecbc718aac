"""Tests of the pure scheduling package (a package so module names cannot clash)."""
