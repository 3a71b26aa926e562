"""Turning a Report (or the knowledge base) into what people and machines read.

May import the report, the knowledge-base models and the condition language (for prose); never the durable engine.
"""
