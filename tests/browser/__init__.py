"""Checks that run real validators and a real browser on the generated site."""
