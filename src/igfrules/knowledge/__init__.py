"""The knowledge base: its models, its loader and its checks."""
