"""Matching: the condition language, its compilation to durable_rules, and the one module that imports durable.

May import the profile, fields, vocabulary and errors; never inputs or renderers.
"""
